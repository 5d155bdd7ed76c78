"""The server-rendered pages, gathered from the pages module of each domain."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler

from commons.accounts.pages import PAGES as ACCOUNT_PAGES
from commons.budgeting.pages import PAGES as ROUND_PAGES
from commons.challenges.pages import PAGES as CHALLENGE_PAGES
from commons.notifications.pages import PAGES as NOTIFICATION_PAGES
from commons.pledges.pages import PAGES as PLEDGE_PAGES
from commons.projects.pages import PAGES as PROJECT_PAGES

PAGE_HANDLERS: list[HTTPRouteHandler] = [
    *CHALLENGE_PAGES,
    *PROJECT_PAGES,
    *PLEDGE_PAGES,
    *ACCOUNT_PAGES,
    *NOTIFICATION_PAGES,
    *ROUND_PAGES,
]
