"""Template filters and globals shared by every page, and the helper that renders a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.challenges.models import LICENCES
from commons.challenges.services import list_funder_organizations
from commons.formatting import format_amount, format_cents, format_minutes
from commons.notifications.services import unread_count
from commons.resources.chart import format_share, funding_mix_chart
from commons.web.forms import PARIS

KIND_LABELS = {"money": "Argent", "time": "Temps", "skill": "Compétence"}
FORM_LABELS = {
    "support": "Soutien (relais, communication)",
    "finance": "Financement",
    "resources": "Ressources",
}
RESOURCE_LABELS = {
    "money": "Argent",
    "time": "Temps",
    "skills": "Compétences",
    "network": "Réseau",
    "territory": "Territoire d'expérimentation",
}
STATUS_LABELS = {"draft": "Brouillon", "open": "Ouvert", "closed": "Clos"}
ORGANIZATION_KIND_LABELS = {
    "collectivite": "Collectivité",
    "association": "Association",
    "entreprise": "Entreprise",
    "habitant": "Habitant·e",
    "universite": "Université",
    "fondation": "Fondation",
    "media": "Média",
}
_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
_FLASH_KEY = "flash"


def format_date(value: datetime | None) -> str:
    """``25 novembre 2026``."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """``25 novembre 2026 à 14 h 30``, in Paris time."""
    if value is None:
        return ""
    local = value.astimezone(PARIS)
    return f"{format_date(local)} à {local.hour} h {local.minute:02d}"


def percent(part: int, whole: int) -> int:
    """How far ``part`` goes towards ``whole``, capped at 100."""
    return 100 if whole <= 0 else min(100, part * 100 // whole)


def flash(request: Request[Any, Any, Any], message: str) -> None:
    """A message shown once, on the next page rendered (after the redirect)."""
    request.session[_FLASH_KEY] = message


def pop_flash(request: Request[Any, Any, Any] | None) -> str:
    if request is None or not request.scope.get("session"):
        return ""
    return str(request.session.pop(_FLASH_KEY, "") or "")


def configure_environment(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters["cents"] = format_cents
    env.filters["minutes"] = format_minutes
    env.filters["amount"] = format_amount
    env.filters["date_fr"] = format_date
    env.filters["datetime_fr"] = format_datetime
    env.filters["share"] = format_share
    env.filters["funding_mix_chart"] = funding_mix_chart
    env.globals["LICENCES"] = LICENCES
    env.globals["KIND_LABELS"] = KIND_LABELS
    env.globals["FORM_LABELS"] = FORM_LABELS
    env.globals["RESOURCE_LABELS"] = RESOURCE_LABELS
    env.globals["STATUS_LABELS"] = STATUS_LABELS
    env.globals["ORGANIZATION_KIND_LABELS"] = ORGANIZATION_KIND_LABELS
    env.globals["percent"] = percent
    env.globals["pop_flash"] = pop_flash


async def render(
    template_name: str,
    *,
    db: AsyncSession,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A full page: the layout's navigation needs to know who is there."""
    nav: dict[str, Any] = {"unread": 0, "can_publish": False}
    if user is not None:
        nav = {
            "unread": await unread_count(db, user),
            "can_publish": bool(await list_funder_organizations(db, user)),
        }
    return Template(template_name, context={"user": user, "nav": nav, **context}, status_code=status_code)


def fragment(template_name: str, *, status_code: int = 200, **context: Any) -> Template:
    """A piece of a page, for htmx."""
    return Template(template_name, context=context, status_code=status_code)


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"
