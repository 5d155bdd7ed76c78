"""HTML actions on expenses: report one (form page), approve, reject, withdraw, pay.

The expenses themselves are shown in the "Dépenses" section of the project page
(``templates/expenses/_section.html``); each action answers with a redirect back to it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.errors import Conflict, Forbidden, InvalidInput
from commons.expenses import services
from commons.expenses.models import Expense
from commons.expenses.schemas import ExpenseCreate, ExpenseReject
from commons.formatting import format_cents
from commons.projects.services import get_project, is_member
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, convert, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]

_LABELS = {"amount_cents": "Montant", "purpose": "Objet", "receipt_reference": "Justificatif", "spent_on": "Date"}


def _expense(form: Form) -> ExpenseCreate:
    """The reported expense: euros typed the French way, the receipt's day as AAAA-MM-JJ."""
    cents = form.cents("amount", "Montant")
    if not cents:
        raise InvalidInput("Indiquez un montant supérieur à zéro, en euros.")
    purpose = form.required("purpose", "Objet")
    receipt = form.required("receipt_reference", "Justificatif")
    form.required("spent_on", "Date")
    day = form.date("spent_on", "Date")
    assert day is not None  # required just above
    data = {"amount_cents": cents, "purpose": purpose, "receipt_reference": receipt, "spent_on": day.date()}
    return convert(data, ExpenseCreate, _LABELS)


async def _form_page(
    db: AsyncSession,
    user: User,
    project_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    project = await get_project(db, project_id, viewer=user)
    if not is_member(project, user):
        raise Forbidden("Seuls les membres du projet déclarent ses dépenses.")
    return await render(
        "expenses/form.html",
        db=db,
        user=user,
        project=project,
        form=form or {},
        error=error,
        status_code=status_code,
    )


@get("/projects/{project_id:int}/expenses/new", name="expenses:new")
async def new_expense(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
) -> Template:
    return await _form_page(db, require_user(user), project_id)


@post("/projects/{project_id:int}/expenses", name="expenses:create")
async def submit_expense(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    author = require_user(user)
    form = Form(data)
    try:
        expense = await services.submit_expense(db, actor=author, project_id=project_id, data=_expense(form))
    except (InvalidInput, Conflict) as exc:
        await undo(db, author)
        return await _form_page(
            db, author, project_id, form=form.as_dict(), error=exc.message, status_code=exc.status_code
        )
    flash(
        request,
        f"Dépense de {format_cents(expense.amount_cents)} déclarée : elle attend ses approbations avant d'être payée.",
    )
    return Redirect(f"/projects/{project_id}#depenses", status_code=303)


def _back(request: PageRequest, expense: Expense, message: str) -> Redirect:
    flash(request, message)
    return Redirect(f"/projects/{expense.project_id}#depenses", status_code=303)


@post("/expenses/{expense_id:int}/approve", name="expenses:approve")
async def approve_expense(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    expense_id: FromPath[int],
) -> Redirect:
    expense = await services.approve_expense(db, actor=require_user(user), expense_id=expense_id)
    return _back(request, expense, "Approbation enregistrée.")


@post("/expenses/{expense_id:int}/reject", name="expenses:reject")
async def reject_expense(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    expense_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Redirect:
    reason = convert({"reason": Form(data).text("reason")}, ExpenseReject, {"reason": "Motif"}).reason
    expense = await services.reject_expense(db, actor=require_user(user), expense_id=expense_id, reason=reason)
    return _back(request, expense, "Dépense refusée : son auteur est prévenu.")


@post("/expenses/{expense_id:int}/withdraw", name="expenses:withdraw")
async def withdraw_expense(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    expense_id: FromPath[int],
) -> Redirect:
    expense = await services.withdraw_expense(db, actor=require_user(user), expense_id=expense_id)
    return _back(request, expense, "Dépense retirée.")


@post("/expenses/{expense_id:int}/pay", name="expenses:pay")
async def pay_expense(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    expense_id: FromPath[int],
) -> Redirect:
    expense = await services.pay_expense(db, actor=require_user(user), expense_id=expense_id)
    return _back(request, expense, "Dépense payée : elle est inscrite au grand livre et publiée.")


PAGES = [new_expense, submit_expense, approve_expense, reject_expense, withdraw_expense, pay_expense]
