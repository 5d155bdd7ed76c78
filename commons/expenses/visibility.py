"""Who sees which expenses: the one rule the expense list, the API and the public journal share.

A project's members see all its expenses, pending, rejected and withdrawn ones included; everyone
else sees the paid ones only, since an expense that was not paid is the team's internal business.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from commons.accounts.models import User
from commons.expenses.models import Expense, ExpenseStatus
from commons.projects.models import Project
from commons.projects.services import is_member


def visible_expenses(project: Project, viewer: User | None) -> ColumnElement[bool]:
    """The condition on ``Expense`` rows that selects the expenses of ``project`` that ``viewer`` may see."""
    of_project = Expense.project_id == project.id
    if is_member(project, viewer):
        return of_project
    return and_(of_project, Expense.status == ExpenseStatus.PAID)
