"""The Litestar application: API and pages over the same services."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from commons.accounts.routes import AccountsApi
from commons.audit.routes import AuditApi
from commons.budgeting.routes import RoundsApi
from commons.challenges.routes import ChallengesApi
from commons.eligibility.routes import EligibilityApi
from commons.expenses.routes import ExpensesApi
from commons.funders.routes import FundersApi
from commons.notifications.routes import NotificationsApi
from commons.operations.routes import OperationsApi
from commons.pledges.routes import PledgesApi
from commons.projects.routes import ProjectsApi
from commons.resources.routes import RevenueApi
from commons.settings import Settings, load_settings
from commons.throttle import Throttle
from commons.web.api_docs import BundledSwaggerUI, swagger_ui_files
from commons.web.auth import provide_api_user, provide_db, provide_page_user
from commons.web.errors import EXCEPTION_HANDLERS
from commons.web.input_guard import guard_input
from commons.web.page_cache import PageCacheMiddleware
from commons.web.pages import PAGE_HANDLERS
from commons.web.runtime import Runtime
from commons.web.security import add_security_headers
from commons.web.templating import configure_environment

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "templates" / "static"


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    runtime = Runtime(settings)
    api = Router(
        path="/",
        route_handlers=[
            AccountsApi,
            ChallengesApi,
            ProjectsApi,
            PledgesApi,
            NotificationsApi,
            RoundsApi,
            EligibilityApi,
            ExpensesApi,
            AuditApi,
            FundersApi,
            RevenueApi,
            OperationsApi,
        ],
        dependencies={"user": Provide(provide_api_user)},
    )
    pages = Router(
        path="/",
        route_handlers=PAGE_HANDLERS,
        dependencies={"user": Provide(provide_page_user)},
        include_in_schema=False,
    )
    session_config = CookieBackendConfig(
        secret=settings.signing_key("session"),
        key="commons_session",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        exclude=["/api/"],
    )
    return Litestar(
        route_handlers=[
            api,
            pages,
            create_static_files_router(path="/static", directories=[STATIC_DIR]),
            swagger_ui_files(),
        ],
        dependencies={"db": Provide(provide_db)},
        # The page cache inside the session middleware: it sees whether the reader is signed in.
        middleware=[session_config.middleware, PageCacheMiddleware],
        before_send=[add_security_headers],
        before_request=guard_input,
        csrf_config=CSRFConfig(
            secret=settings.signing_key("csrf").hex(),
            cookie_name="commons_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            # The API authenticates with bearer tokens, never with cookies: no CSRF there.
            exclude=["/api/"],
        ),
        template_config=TemplateConfig(
            directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=configure_environment
        ),
        openapi_config=OpenAPIConfig(
            title="Commons API", version="1.0.0", path="/api/v1/schema", render_plugins=[BundledSwaggerUI()]
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        state=State({"runtime": runtime, "settings": settings, "throttle": Throttle(settings.redis_url)}),
        debug=settings.debug,
    )
