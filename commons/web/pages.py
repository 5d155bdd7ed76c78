"""The server-rendered pages, gathered from the pages module of each domain."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler

from commons.accounts.pages import PAGES as ACCOUNT_PAGES
from commons.audit.pages import PAGES as AUDIT_PAGES
from commons.budgeting.pages import PAGES as ROUND_PAGES
from commons.challenges.pages import PAGES as CHALLENGE_PAGES
from commons.eligibility.pages import PAGES as ELIGIBILITY_PAGES
from commons.expenses.pages import PAGES as EXPENSE_PAGES
from commons.funders.pages import PAGES as FUNDER_PAGES
from commons.notifications.pages import PAGES as NOTIFICATION_PAGES
from commons.pledges.pages import PAGES as PLEDGE_PAGES
from commons.projects.pages import PAGES as PROJECT_PAGES
from commons.resources.pages import PAGES as RESOURCE_PAGES

PAGE_HANDLERS: list[HTTPRouteHandler] = [
    *CHALLENGE_PAGES,
    *PROJECT_PAGES,
    *PLEDGE_PAGES,
    *ACCOUNT_PAGES,
    *NOTIFICATION_PAGES,
    *ROUND_PAGES,
    *ELIGIBILITY_PAGES,
    *EXPENSE_PAGES,
    *AUDIT_PAGES,
    *FUNDER_PAGES,
    *RESOURCE_PAGES,
]
