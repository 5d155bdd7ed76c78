"""Use cases of expenses: report, approve, reject, withdraw, pay; and a project's expenses as shown.

Each action writes its rows, its audit entry and its domain event in one transaction, so the journal
and the notifications tell of exactly the actions that committed. Every action on an existing expense
first takes its project's row lock (``SELECT ... FOR UPDATE``, the lock order used everywhere: project
first, then ledger accounts), then re-reads the expense: two approvals, or two payments, of the same
expense run one after the other, and the second sees what the first did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.audit.services import record
from commons.db import commit_or_conflict, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.outbox import EventType, record_event
from commons.expenses.models import Expense, ExpenseApproval, ExpenseStatus
from commons.expenses.rules import ApprovalCount, count_approvals, lead_must_approve_next
from commons.expenses.schemas import ApprovalRead, ExpenseCreate, ExpenseRead
from commons.expenses.visibility import visible_expenses
from commons.formatting import format_cents
from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import balance, find_account, open_account, record_transfer
from commons.pledges.settlement import conditional_cents
from commons.projects.funding import FundingStatus
from commons.projects.models import MembershipRole, Project
from commons.projects.services import get_project, is_lead, is_member

_FINAL_MESSAGES = {
    ExpenseStatus.PAID: "Cette dépense est déjà payée.",
    ExpenseStatus.REJECTED: "Cette dépense a été refusée.",
    ExpenseStatus.WITHDRAWN: "Cette dépense a été retirée par son auteur.",
}


def approvers(project: Project, expense: Expense) -> dict[int, bool]:
    """Who may approve an expense, and whether each is a lead: the members who joined the project
    before it was submitted, its author excepted. Accounts joined afterwards have no say, so
    nobody can bring in accounts of their own to approve what they just reported."""
    return {
        m.user_id: m.role == MembershipRole.LEAD
        for m in project.memberships
        if m.created_at < expense.created_at and m.user_id != expense.author_id
    }


def approval_count(project: Project, expense: Expense) -> ApprovalCount:
    """The approvals that stand, against the project's current N and its members who may approve."""
    may_approve = approvers(project, expense)
    return count_approvals(
        project.approvals_required,
        (may_approve[a.approver_id] for a in expense.approvals if a.approver_id in may_approve),
    )


def _trace(
    session: AsyncSession,
    *,
    expense: Expense,
    actor: User,
    event: EventType,
    message: str,
    **details: Any,
) -> None:
    """The audit entry and the domain event of an action, in the action's transaction."""
    facts = {"amount_cents": expense.amount_cents, **details}
    record(
        session,
        actor=actor,
        action=event.value,
        object_type="expense",
        object_id=expense.id,
        project_id=expense.project_id,
        message=message,
        details=facts,
    )
    record_event(
        session,
        event,
        expense_id=expense.id,
        project_id=expense.project_id,
        author_id=expense.author_id,
        actor_id=actor.id,
        **facts,
    )


def _describe(expense: Expense) -> str:
    return f"la dépense n°{expense.id} ({format_cents(expense.amount_cents)}, « {expense.purpose} »)"


async def submit_expense(session: AsyncSession, *, actor: User, project_id: int, data: ExpenseCreate) -> Expense:
    """A project member reports an expense; it waits for the approvals the project asks for."""
    project = await get_project(session, project_id, viewer=actor)
    if not is_member(project, actor):
        raise Forbidden("Seuls les membres du projet déclarent ses dépenses.")
    if project.funding_status == FundingStatus.CANCELLED:
        raise Conflict("Ce projet est annulé : il ne déclare plus de dépenses.")
    purpose, receipt = data.purpose.strip(), data.receipt_reference.strip()
    if not purpose or not receipt:
        raise InvalidInput("L'objet de la dépense et la référence du justificatif sont obligatoires.")
    if data.amount_cents <= 0:
        # The schema already refuses it at the edges; use cases called from code are held to it too.
        raise InvalidInput("Le montant d'une dépense doit être positif.")
    # The latest day that has begun somewhere on Earth (UTC+14): a receipt cannot be dated later.
    if data.spent_on > (utcnow() + timedelta(hours=14)).date():
        raise InvalidInput("La date de la dépense ne peut pas être dans le futur.")
    expense = Expense(
        project_id=project.id,
        author=actor,
        amount_cents=data.amount_cents,
        purpose=purpose,
        receipt_reference=receipt,
        spent_on=data.spent_on,
        approvals=[],
    )
    session.add(expense)
    await session.flush()
    _trace(
        session,
        expense=expense,
        actor=actor,
        event=EventType.EXPENSE_SUBMITTED,
        message=f"{actor.name} a déclaré {_describe(expense)}, justificatif « {receipt} ».",
        approvals_required=project.approvals_required,
    )
    await session.commit()
    return expense


async def _locked(session: AsyncSession, expense_id: int, actor: User) -> tuple[Expense, Project]:
    """The expense and its project, re-read under the project's row lock; ``NotFound`` if hidden."""
    project_id = await session.scalar(select(Expense.project_id).where(Expense.id == expense_id))
    if project_id is None:
        raise NotFound(f"Dépense {expense_id} introuvable.")
    await session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
    project = await get_project(session, project_id, viewer=actor)
    expense = await session.get(Expense, expense_id, populate_existing=True)
    assert expense is not None  # expenses are never deleted while their project stands
    return expense, project


def _check_not_final(expense: Expense) -> None:
    if expense.status.is_final:
        raise Conflict(_FINAL_MESSAGES[expense.status])


async def approve_expense(session: AsyncSession, *, actor: User, expense_id: int) -> Expense:
    """A member other than the author approves; with the last approval needed, it is approved."""
    expense, project = await _locked(session, expense_id, actor)
    if not is_member(project, actor):
        raise Forbidden("Seuls les membres du projet approuvent ses dépenses.")
    if expense.author_id == actor.id:
        raise Forbidden(
            "Vous ne pouvez pas approuver votre propre dépense : une autre personne du projet doit le faire."
        )
    if actor.id not in approvers(project, expense):
        raise Forbidden(
            "Vous avez rejoint le projet après la déclaration de cette dépense : seuls les membres présents "
            "quand elle a été déclarée l'approuvent."
        )
    _check_not_final(expense)
    if any(a.approver_id == actor.id for a in expense.approvals):
        raise Conflict("Vous avez déjà approuvé cette dépense.")
    count = approval_count(project, expense)
    if count.missing == 0:
        raise Conflict("Cette dépense a déjà toutes ses approbations : un porteur du projet peut la payer.")
    if lead_must_approve_next(count, is_lead=is_lead(project, actor)):
        raise Forbidden(
            "L'approbation qui manque doit venir d'un porteur du projet (autre que l'auteur de la dépense)."
        )
    expense.approvals.append(ExpenseApproval(approver_id=actor.id, approver=actor))
    after = approval_count(project, expense)
    if after.missing == 0:
        expense.status = ExpenseStatus.APPROVED
        expense.approved_at = utcnow()
    await session.flush()
    _trace(
        session,
        expense=expense,
        actor=actor,
        event=EventType.EXPENSE_APPROVED,
        message=f"{actor.name} a approuvé {_describe(expense)} : {after.describe_missing()}.",
        approvals=after.counted,
        missing=after.missing,
    )
    await commit_or_conflict(session, "Vous avez déjà approuvé cette dépense.")
    return expense


async def reject_expense(session: AsyncSession, *, actor: User, expense_id: int, reason: str = "") -> Expense:
    """A lead refuses an expense that is not paid; the reason is kept and shown to its author."""
    expense, project = await _locked(session, expense_id, actor)
    if not is_lead(project, actor):
        raise Forbidden("Seuls les porteurs du projet refusent une dépense.")
    _check_not_final(expense)
    expense.status = ExpenseStatus.REJECTED
    expense.closed_at = utcnow()
    expense.rejection_reason = reason.strip()
    because = f" : « {expense.rejection_reason} »" if expense.rejection_reason else ""
    _trace(
        session,
        expense=expense,
        actor=actor,
        event=EventType.EXPENSE_REJECTED,
        message=f"{actor.name} a refusé {_describe(expense)}{because}.",
        reason=expense.rejection_reason,
    )
    await session.commit()
    return expense


async def withdraw_expense(session: AsyncSession, *, actor: User, expense_id: int) -> Expense:
    """Its author withdraws an expense that is not paid."""
    expense, _ = await _locked(session, expense_id, actor)
    if expense.author_id != actor.id:
        raise Forbidden("Seule la personne qui a déclaré cette dépense peut la retirer.")
    if expense.status == ExpenseStatus.PAID:
        raise Conflict("Cette dépense est déjà payée : elle ne peut plus être retirée.")
    _check_not_final(expense)
    expense.status = ExpenseStatus.WITHDRAWN
    expense.closed_at = utcnow()
    _trace(
        session,
        expense=expense,
        actor=actor,
        event=EventType.EXPENSE_WITHDRAWN,
        message=f"{actor.name} a retiré {_describe(expense)}.",
    )
    await session.commit()
    return expense


async def pay_expense(session: AsyncSession, *, actor: User, expense_id: int) -> Expense:
    """A lead pays an approved expense: the ledger moves its amount from the project to its spending.

    Refused (409, nothing written) when it is already paid, closed, short of approvals, or when the
    project's account holds less than the amount; the transfer's key (``expense:{id}:paid``) makes a
    second recording of the same payment impossible even outside this use case.
    """
    expense, project = await _locked(session, expense_id, actor)
    if not is_lead(project, actor):
        raise Forbidden("Seuls les porteurs du projet paient ses dépenses.")
    _check_not_final(expense)
    count = approval_count(project, expense)
    if count.missing:
        raise Conflict(f"Cette dépense ne peut pas encore être payée : {count.describe_missing()}.")
    source = await find_account(session, kind=AccountKind.PROJECT, owner_id=project.id, unit=EUR)
    held = await balance(session, source) if source is not None else 0
    conditional = await conditional_cents(session, project)
    available = held - conditional
    if source is None or available < expense.amount_cents:
        pending = (
            f" ({format_cents(conditional)} de promesses « tout ou rien » restent intouchables jusqu'à l'échéance)"
            if conditional
            else ""
        )
        raise Conflict(
            f"Le projet ne dispose que de {format_cents(max(available, 0))}{pending} : "
            f"la dépense de {format_cents(expense.amount_cents)} ne peut pas être payée."
        )
    spent = await open_account(session, kind=AccountKind.PROJECT_SPENT, owner_id=project.id, unit=EUR)
    transfer = await record_transfer(
        session,
        key=f"expense:{expense.id}:paid",
        reason=f"Dépense {expense.id} payée : {expense.purpose}",
        legs=[(source, -expense.amount_cents), (spent, expense.amount_cents)],
    )
    expense.status = ExpenseStatus.PAID
    expense.paid_at = utcnow()
    expense.paid_by = actor
    _trace(
        session,
        expense=expense,
        actor=actor,
        event=EventType.EXPENSE_PAID,
        message=f"{actor.name} a payé {_describe(expense)} (mouvement n°{transfer.id} du grand livre).",
        transfer_id=transfer.id,
    )
    await session.commit()
    return expense


@dataclass(frozen=True, slots=True)
class ExpenseLine:
    """An expense as one viewer sees it: its approvals and what this viewer may do with it."""

    expense: Expense
    approvals: ApprovalCount
    can_approve: bool
    can_reject: bool
    can_withdraw: bool
    can_pay: bool


@dataclass(frozen=True, slots=True)
class ExpenseBook:
    """A project's expenses for one viewer: members see them all, everyone else the paid ones.

    ``available_cents`` (members only, else None) is what the project's ledger account holds now.
    """

    project: Project
    is_member: bool
    available_cents: int | None
    lines: list[ExpenseLine]

    @property
    def open(self) -> list[ExpenseLine]:
        return [line for line in self.lines if not line.expense.status.is_final]

    @property
    def paid(self) -> list[ExpenseLine]:
        return [line for line in self.lines if line.expense.status == ExpenseStatus.PAID]

    @property
    def closed(self) -> list[ExpenseLine]:
        return [line for line in self.lines if line.expense.status in (ExpenseStatus.REJECTED, ExpenseStatus.WITHDRAWN)]


def _line(project: Project, expense: Expense, viewer: User | None) -> ExpenseLine:
    count = approval_count(project, expense)
    pending = not expense.status.is_final
    lead = is_lead(project, viewer)
    approver = (
        viewer is not None
        and pending
        and viewer.id in approvers(project, expense)
        and count.missing > 0
        and all(a.approver_id != viewer.id for a in expense.approvals)
        and not lead_must_approve_next(count, is_lead=lead)
    )
    return ExpenseLine(
        expense=expense,
        approvals=count,
        can_approve=approver,
        can_reject=pending and lead,
        can_withdraw=pending and viewer is not None and viewer.id == expense.author_id,
        can_pay=pending and lead and count.missing == 0,
    )


async def project_expenses(session: AsyncSession, project_id: int, *, viewer: User | None) -> ExpenseBook:
    """A project's expenses, latest first, as ``viewer`` may see them (``NotFound`` if the project is hidden)."""
    project = await get_project(session, project_id, viewer=viewer)
    member = is_member(project, viewer)
    query = select(Expense).where(visible_expenses(project, viewer))
    expenses = await session.scalars(query.order_by(Expense.created_at.desc(), Expense.id.desc()))
    available = None
    if member:
        account = await find_account(session, kind=AccountKind.PROJECT, owner_id=project.id, unit=EUR)
        available = await balance(session, account) if account is not None else 0
    return ExpenseBook(
        project=project,
        is_member=member,
        available_cents=available,
        lines=[_line(project, expense, viewer) for expense in expenses],
    )


def expense_read(expense: Expense, count: ApprovalCount) -> ExpenseRead:
    return ExpenseRead(
        id=expense.id,
        project_id=expense.project_id,
        author={"id": expense.author.id, "name": expense.author.name},
        amount_cents=expense.amount_cents,
        purpose=expense.purpose,
        receipt_reference=expense.receipt_reference,
        spent_on=expense.spent_on,
        status=expense.status.value,
        created_at=expense.created_at,
        approvals=[
            ApprovalRead(user_id=a.approver_id, name=a.approver.name, approved_at=a.created_at)
            for a in expense.approvals
        ],
        approvals_required=count.required,
        approvals_missing=count.missing,
        approved_at=expense.approved_at,
        paid_at=expense.paid_at,
        paid_by={"id": expense.paid_by.id, "name": expense.paid_by.name} if expense.paid_by else None,
        rejection_reason=expense.rejection_reason,
    )


async def read_expense(session: AsyncSession, expense: Expense, *, viewer: User | None) -> ExpenseRead:
    """An expense as the API shows it, with its approvals counted against its project now."""
    project = await get_project(session, expense.project_id, viewer=viewer)
    return expense_read(expense, approval_count(project, expense))
