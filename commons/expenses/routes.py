"""JSON API of expenses: report and list them per project; approve, reject, withdraw and pay one."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.expenses import services
from commons.expenses.schemas import ExpenseCreate, ExpenseRead, ExpenseReject
from commons.web.auth import require_user


class ExpensesApi(Controller):
    path = "/api/v1"
    tags = ("expenses",)

    @get("/projects/{project_id:int}/expenses", name="api:expenses:of-project")
    async def list_expenses(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> list[ExpenseRead]:
        """Every expense for the project's members; the paid ones (public spending) for everyone else."""
        book = await services.project_expenses(db, project_id, viewer=user)
        return [services.expense_read(line.expense, line.approvals) for line in book.lines]

    @post("/projects/{project_id:int}/expenses", name="api:expenses:create")
    async def submit(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        project_id: FromPath[int],
        data: JSONBody[ExpenseCreate],
    ) -> ExpenseRead:
        expense = await services.submit_expense(db, actor=require_user(user), project_id=project_id, data=data)
        return await services.read_expense(db, expense, viewer=user)

    @post("/expenses/{expense_id:int}/approve", name="api:expenses:approve", status_code=200)
    async def approve(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], expense_id: FromPath[int]
    ) -> ExpenseRead:
        expense = await services.approve_expense(db, actor=require_user(user), expense_id=expense_id)
        return await services.read_expense(db, expense, viewer=user)

    @post("/expenses/{expense_id:int}/reject", name="api:expenses:reject", status_code=200)
    async def reject(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        expense_id: FromPath[int],
        data: JSONBody[ExpenseReject],
    ) -> ExpenseRead:
        """A lead refuses the expense; ``{"reason": "..."}`` (may be empty) is shown to its author."""
        expense = await services.reject_expense(db, actor=require_user(user), expense_id=expense_id, reason=data.reason)
        return await services.read_expense(db, expense, viewer=user)

    @post("/expenses/{expense_id:int}/withdraw", name="api:expenses:withdraw", status_code=200)
    async def withdraw(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], expense_id: FromPath[int]
    ) -> ExpenseRead:
        expense = await services.withdraw_expense(db, actor=require_user(user), expense_id=expense_id)
        return await services.read_expense(db, expense, viewer=user)

    @post("/expenses/{expense_id:int}/pay", name="api:expenses:pay", status_code=200)
    async def pay(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], expense_id: FromPath[int]
    ) -> ExpenseRead:
        """A lead pays the approved expense from the project's ledger account (to its spending)."""
        expense = await services.pay_expense(db, actor=require_user(user), expense_id=expense_id)
        return await services.read_expense(db, expense, viewer=user)
