"""Template filters and globals shared by every page."""

from __future__ import annotations

from litestar.plugins.jinja import JinjaTemplateEngine

from commons.challenges.models import LICENCES
from commons.formatting import format_amount, format_cents, format_minutes


def configure_environment(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters["cents"] = format_cents
    env.filters["minutes"] = format_minutes
    env.filters["amount"] = format_amount
    env.globals["LICENCES"] = LICENCES
