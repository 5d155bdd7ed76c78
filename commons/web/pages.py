"""The server-rendered pages (filled in by the pages module of each domain)."""

from __future__ import annotations

from litestar import get
from litestar.response import Template


@get("/", name="home")
async def home() -> Template:
    return Template("home.html", context={})


PAGE_HANDLERS = [home]
