"""Expenses through the JSON API: reported, approved, paid from the ledger, and every refusal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.accounts.models import User
from commons.audit.models import AuditEntry
from commons.errors import Conflict
from commons.events.models import OutboxEvent
from commons.expenses.models import Expense, ExpenseApproval
from commons.expenses.services import pay_expense
from commons.ledger.check import check_ledger
from commons.ledger.models import Transfer
from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import owner_balances
from commons.projects.models import Membership, MembershipRole
from tests import factories
from tests.conftest import eventually
from tests.factories import Actor, Client


@pytest.fixture
async def stage(client: Client, session: AsyncSession) -> dict[str, Any]:
    """A project led by Porteuse and Co-porteur (a second lead), with Membre, and 1,000 € received."""
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    colead = await factories.api_user(client, "Coporteur")
    await factories.member(client, colead, project["id"])
    await session.execute(
        update(Membership)
        .where(Membership.project_id == project["id"], Membership.user_id == colead.id)
        .values(role=MembershipRole.LEAD)
    )
    await session.commit()
    member = await factories.api_user(client, "Membre")
    await factories.member(client, member, project["id"])
    donor = await factories.api_user(client, "Donatrice")
    await factories.received_money(client, donor, project, 100_000, receiver=lead)
    return {
        "project": project,
        "lead": lead,
        "colead": colead,
        "member": member,
        "stranger": await factories.api_user(client, "Inconnu"),
    }


async def _post(client: Client, path: str, who: Actor, body: dict[str, Any] | None = None) -> Any:
    return await client.post(f"/api/v1{path}", json=body if body is not None else None, headers=who.headers)


async def _count(session: AsyncSession, model: type[Any], *where: ColumnElement[bool]) -> int:
    count = await session.scalar(select(func.count()).select_from(model).where(*where))
    await session.commit()  # end the read: SQLite holds its write lock for the whole transaction
    return int(count or 0)


async def test_full_flow_report_approve_pay(
    client: Client, stage: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    project_id = stage["project"]["id"]
    expense = await factories.expense(client, stage["member"], project_id, amount_cents=30_000)
    assert expense["status"] == "submitted"
    assert (expense["approvals_required"], expense["approvals_missing"]) == (1, 1)

    approved = await _post(client, f"/expenses/{expense['id']}/approve", stage["lead"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert [a["name"] for a in approved.json()["approvals"]] == ["Porteuse"]

    paid = await _post(client, f"/expenses/{expense['id']}/pay", stage["colead"])
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert paid.json()["paid_by"]["name"] == "Coporteur" and paid.json()["paid_at"]

    async with sessionmaker() as session:
        assert await owner_balances(session, kind=AccountKind.PROJECT, owner_id=project_id) == {EUR: 70_000}
        assert await owner_balances(session, kind=AccountKind.PROJECT_SPENT, owner_id=project_id) == {EUR: 30_000}
        assert await session.scalar(select(Transfer.id).where(Transfer.key == f"expense:{expense['id']}:paid"))
        assert await check_ledger(session) == []
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.object_id == expense["id"]).order_by(AuditEntry.id)
            )
        )
        assert actions == ["expense.submitted", "expense.approved", "expense.paid"]
        events = set(await session.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("expense.%"))))
        assert events == {"expense.submitted", "expense.approved", "expense.paid"}

    # The public sees the payment: in the expenses, the transparency figures and the journal.
    public = (await client.get(f"/api/v1/projects/{project_id}/expenses")).json()
    assert [(e["id"], e["receipt_reference"]) for e in public] == [(expense["id"], "Facture F-2026-042")]
    transparency = (await client.get(f"/api/v1/projects/{project_id}/transparency")).json()
    assert transparency["spent_cents"] == 30_000
    journal = (await client.get(f"/api/v1/projects/{project_id}/journal")).json()
    assert [entry["action"] for entry in journal] == ["expense.paid", "expense.approved", "expense.submitted"]
    assert journal[0]["actor"]["name"] == "Coporteur"

    async def author_told_it_is_paid() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["member"].headers)).json()
        return any("Coporteur a payé la dépense « Achat d'un vélo cargo » (300 €)" in n["message"] for n in notes)

    await eventually(author_told_it_is_paid)

    async def leads_told_of_the_report() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["colead"].headers)).json()
        return any("Membre a déclaré la dépense « Achat d'un vélo cargo »" in n["message"] for n in notes)

    await eventually(leads_told_of_the_report)


async def test_an_expense_is_paid_once(client: Client, stage: dict[str, Any], session: AsyncSession) -> None:
    expense = await factories.expense(client, stage["member"], stage["project"]["id"])
    await _post(client, f"/expenses/{expense['id']}/approve", stage["lead"])
    assert (await _post(client, f"/expenses/{expense['id']}/pay", stage["lead"])).status_code == 200
    again = await _post(client, f"/expenses/{expense['id']}/pay", stage["colead"])
    assert again.status_code == 409
    assert "déjà payée" in again.json()["detail"]
    withdrawn = await _post(client, f"/expenses/{expense['id']}/withdraw", stage["member"])
    assert withdrawn.status_code == 409 and "déjà payée" in withdrawn.json()["detail"]
    assert await _count(session, Transfer, Transfer.key.like("expense:%")) == 1


async def test_two_concurrent_payments_make_one_transfer(
    client: Client, stage: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    expense = await factories.expense(client, stage["member"], stage["project"]["id"])
    await _post(client, f"/expenses/{expense['id']}/approve", stage["lead"])

    async def pay(lead_id: int) -> object:
        async with sessionmaker() as session:
            actor = await session.get(User, lead_id)
            assert actor is not None
            try:
                return await pay_expense(session, actor=actor, expense_id=expense["id"])
            except Conflict as exc:
                return exc

    outcomes = await asyncio.gather(pay(stage["lead"].id), pay(stage["colead"].id))
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Expense"]
    refused = next(o for o in outcomes if isinstance(o, Conflict))
    assert "déjà payée" in refused.message
    async with sessionmaker() as session:
        keys = list(await session.scalars(select(Transfer.key).where(Transfer.key.like("expense:%"))))
        assert keys == [f"expense:{expense['id']}:paid"]
        spent = await owner_balances(session, kind=AccountKind.PROJECT_SPENT, owner_id=stage["project"]["id"])
        assert spent == {EUR: 30_000}
        assert await check_ledger(session) == []


async def test_no_payment_without_the_approvals(client: Client, stage: dict[str, Any], session: AsyncSession) -> None:
    expense = await factories.expense(client, stage["member"], stage["project"]["id"])
    refused = await _post(client, f"/expenses/{expense['id']}/pay", stage["lead"])
    assert refused.status_code == 409
    assert "il manque 1 approbation d'un porteur du projet" in refused.json()["detail"]
    assert await _count(session, Transfer) == 1  # the donation only


async def test_author_cannot_approve_and_nobody_approves_twice(client: Client, stage: dict[str, Any]) -> None:
    own = await factories.expense(client, stage["lead"], stage["project"]["id"])
    self_approved = await _post(client, f"/expenses/{own['id']}/approve", stage["lead"])
    assert self_approved.status_code == 403
    assert "votre propre dépense" in self_approved.json()["detail"]
    # With the default of one approval, it must come from a lead other than the author.
    by_member = await _post(client, f"/expenses/{own['id']}/approve", stage["member"])
    assert by_member.status_code == 403 and "porteur du projet" in by_member.json()["detail"]
    assert (await _post(client, f"/expenses/{own['id']}/approve", stage["colead"])).status_code == 200
    twice = await _post(client, f"/expenses/{own['id']}/approve", stage["colead"])
    assert twice.status_code == 409
    assert twice.json()["detail"] == "Vous avez déjà approuvé cette dépense."


async def test_several_approvals_need_distinct_members_and_a_lead(
    client: Client, stage: dict[str, Any], session: AsyncSession
) -> None:
    project_id = stage["project"]["id"]
    changed = await client.patch(
        f"/api/v1/projects/{project_id}", json={"approvals_required": 2}, headers=stage["lead"].headers
    )
    assert changed.status_code == 200, changed.text
    third, fourth = await factories.api_user(client, "Troisième"), await factories.api_user(client, "Quatrième")
    await factories.member(client, third, project_id)
    await factories.member(client, fourth, project_id)
    expense = await factories.expense(client, stage["member"], project_id)
    assert expense["approvals_missing"] == 2
    first = await _post(client, f"/expenses/{expense['id']}/approve", third)
    assert first.json()["approvals_missing"] == 1 and first.json()["status"] == "submitted"
    early = await _post(client, f"/expenses/{expense['id']}/pay", stage["lead"])
    assert early.status_code == 409 and "il manque 1 approbation d'un porteur du projet" in early.json()["detail"]
    # The second approval cannot be another member's: one of the two must be a lead's.
    refused = await _post(client, f"/expenses/{expense['id']}/approve", fourth)
    assert refused.status_code == 403 and "porteur du projet" in refused.json()["detail"]
    second = await _post(client, f"/expenses/{expense['id']}/approve", stage["lead"])
    assert second.json()["status"] == "approved" and second.json()["approvals_missing"] == 0
    assert (await _post(client, f"/expenses/{expense['id']}/pay", stage["lead"])).status_code == 200
    too_high = await client.patch(
        f"/api/v1/projects/{project_id}", json={"approvals_required": 0}, headers=stage["lead"].headers
    )
    assert too_high.status_code == 400 and "approvals_required" in too_high.text
    assert await _count(session, ExpenseApproval) == 2


async def test_members_who_joined_after_the_expense_have_no_say(
    client: Client, stage: dict[str, Any], session: AsyncSession
) -> None:
    """Accounts brought in once an expense is reported cannot approve it: sock accounts get no say."""
    project_id = stage["project"]["id"]
    expense = await factories.expense(client, stage["lead"], project_id)
    for name in ("Prête-nom", "Faux-nez"):
        sock = await factories.api_user(client, name)
        await factories.member(client, sock, project_id)
        refused = await _post(client, f"/expenses/{expense['id']}/approve", sock)
        assert refused.status_code == 403 and "après la déclaration" in refused.json()["detail"]
    assert await _count(session, ExpenseApproval) == 0
    early = await _post(client, f"/expenses/{expense['id']}/pay", stage["lead"])
    assert early.status_code == 409
    approved = await _post(client, f"/expenses/{expense['id']}/approve", stage["colead"])
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


async def test_overspending_is_refused_with_what_is_available(
    client: Client, stage: dict[str, Any], session: AsyncSession
) -> None:
    expense = await factories.expense(client, stage["member"], stage["project"]["id"], amount_cents=100_001)
    await _post(client, f"/expenses/{expense['id']}/approve", stage["lead"])
    events_before = await _count(session, OutboxEvent)
    refused = await _post(client, f"/expenses/{expense['id']}/pay", stage["lead"])
    assert refused.status_code == 409
    assert "ne dispose que de 1\u202f000 €" in refused.json()["detail"]
    assert await _count(session, Transfer) == 1
    assert await _count(session, OutboxEvent) == events_before
    listed = (
        await client.get(f"/api/v1/projects/{stage['project']['id']}/expenses", headers=stage["lead"].headers)
    ).json()
    assert listed[0]["status"] == "approved"


async def test_strangers_are_refused(client: Client, stage: dict[str, Any], session: AsyncSession) -> None:
    project_id = stage["project"]["id"]
    reported = await client.post(
        f"/api/v1/projects/{project_id}/expenses",
        json={"amount_cents": 100, "purpose": "P", "receipt_reference": "R", "spent_on": "2026-11-02"},
        headers=stage["stranger"].headers,
    )
    assert reported.status_code == 403 and "membres du projet" in reported.json()["detail"]
    expense = await factories.expense(client, stage["member"], project_id)
    for action in ("approve", "pay", "withdraw"):
        answer = await _post(client, f"/expenses/{expense['id']}/{action}", stage["stranger"])
        assert answer.status_code == 403, (action, answer.text)
    rejected = await _post(client, f"/expenses/{expense['id']}/reject", stage["member"], {"reason": "Non"})
    assert rejected.status_code == 403
    anonymous = await client.post(f"/api/v1/expenses/{expense['id']}/approve")
    assert anonymous.status_code == 401
    assert (await _post(client, "/expenses/999999/approve", stage["lead"])).status_code == 404
    # Only paid expenses are public; the members see them all.
    assert (await client.get(f"/api/v1/projects/{project_id}/expenses", headers=stage["stranger"].headers)).json() == []
    seen = await client.get(f"/api/v1/projects/{project_id}/expenses", headers=stage["member"].headers)
    assert [e["id"] for e in seen.json()] == [expense["id"]]
    assert await _count(session, ExpenseApproval) == 0


BAD_EXPENSES: list[tuple[str, dict[str, Any], str]] = [
    ("zero amount", {"amount_cents": 0}, "amount_cents"),
    ("negative amount", {"amount_cents": -500}, "amount_cents"),
    ("absurd amount", {"amount_cents": 10**15}, "amount_cents"),
    ("amount as text", {"amount_cents": "cent"}, "amount_cents"),
    ("empty purpose", {"purpose": ""}, "purpose"),
    ("blank purpose", {"purpose": "   "}, "obligatoires"),
    ("oversize purpose", {"purpose": "x" * 501}, "purpose"),
    ("no receipt", {"receipt_reference": ""}, "receipt_reference"),
    ("not a date", {"spent_on": "hier"}, "spent_on"),
    ("future date", {"spent_on": "2999-01-01"}, "futur"),
    ("unknown field", {"currency": "BTC"}, "currency"),
]


@pytest.mark.parametrize(("case", "fields", "mentions"), BAD_EXPENSES, ids=[c[0] for c in BAD_EXPENSES])
async def test_bad_expense_is_refused_and_nothing_is_written(
    client: Client, stage: dict[str, Any], session: AsyncSession, case: str, fields: dict[str, Any], mentions: str
) -> None:
    body = {"amount_cents": 100, "purpose": "P", "receipt_reference": "R", "spent_on": "2026-11-02"} | fields
    events_before = await _count(session, OutboxEvent)
    answer = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/expenses", json=body, headers=stage["member"].headers
    )
    assert answer.status_code == 400, answer.text
    assert mentions in answer.text
    assert await _count(session, Expense) == 0
    assert await _count(session, AuditEntry) == 0
    assert await _count(session, OutboxEvent) == events_before


async def test_reject_and_withdraw_close_an_expense(client: Client, stage: dict[str, Any]) -> None:
    project_id = stage["project"]["id"]
    first = await factories.expense(client, stage["member"], project_id)
    rejected = await _post(client, f"/expenses/{first['id']}/reject", stage["lead"], {"reason": "Hors budget"})
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "Hors budget")
    late = await _post(client, f"/expenses/{first['id']}/approve", stage["colead"])
    assert late.status_code == 409 and "refusée" in late.json()["detail"]

    second = await factories.expense(client, stage["member"], project_id)
    by_other = await _post(client, f"/expenses/{second['id']}/withdraw", stage["lead"])
    assert by_other.status_code == 403
    withdrawn = await _post(client, f"/expenses/{second['id']}/withdraw", stage["member"])
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (await _post(client, f"/expenses/{second['id']}/pay", stage["lead"])).status_code == 409

    # The team's journal (unpaid expenses show to members only).
    journal = (await client.get(f"/api/v1/projects/{project_id}/journal", headers=stage["member"].headers)).json()
    assert journal[0]["action"] == "expense.withdrawn"
    assert any("a refusé la dépense" in e["message"] and "Hors budget" in e["message"] for e in journal)

    async def author_told_of_the_refusal() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["member"].headers)).json()
        return any("Porteuse a refusé" in n["message"] and "« Hors budget »" in n["message"] for n in notes)

    await eventually(author_told_of_the_refusal)


async def test_unpaid_expenses_stay_out_of_the_public_journal_as_out_of_the_expense_list(
    client: Client, stage: dict[str, Any]
) -> None:
    """One rule (members see all expenses, others the paid ones) on the expenses API and the journal."""
    project_id = stage["project"]["id"]
    pending = await factories.expense(client, stage["member"], project_id, purpose="Achat en attente")
    rejected = await factories.expense(client, stage["member"], project_id, purpose="Achat refusé")
    assert (await _post(client, f"/expenses/{rejected['id']}/reject", stage["lead"], {"reason": ""})).status_code == 200
    paid = await factories.expense(client, stage["member"], project_id, purpose="Achat payé")
    await _post(client, f"/expenses/{paid['id']}/approve", stage["lead"])
    assert (await _post(client, f"/expenses/{paid['id']}/pay", stage["colead"])).status_code == 200

    for headers in ({}, stage["stranger"].headers):
        listed = (await client.get(f"/api/v1/projects/{project_id}/expenses", headers=headers)).json()
        assert [e["id"] for e in listed] == [paid["id"]]
        journal = (await client.get(f"/api/v1/projects/{project_id}/journal", headers=headers)).json()
        assert {entry["object_id"] for entry in journal} == {paid["id"]}
    page = (await client.get(f"/projects/{project_id}/journal")).text
    assert "Achat payé" in page
    assert "Achat en attente" not in page and "Achat refusé" not in page

    everything = {pending["id"], rejected["id"], paid["id"]}
    listed = (await client.get(f"/api/v1/projects/{project_id}/expenses", headers=stage["member"].headers)).json()
    assert {e["id"] for e in listed} == everything
    journal = (await client.get(f"/api/v1/projects/{project_id}/journal", headers=stage["member"].headers)).json()
    assert {entry["object_id"] for entry in journal} == everything
