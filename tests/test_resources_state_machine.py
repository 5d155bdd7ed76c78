"""Pledges, withdrawals, settlements, payouts and expenses at random, checked after every step.

A hypothesis ``RuleBasedStateMachine`` drives the use cases of issue 4 on each database: a call whose
pool comes from two funders (the authority, capped per project, and a foundation funding only
associations, at most half a project's budget), three projects with a money and a time need (one of
them accepting stretch goals), their leads, a member and two contributors pledging euros, euskos (a
local currency, pegged to the euro but its own ledger unit) and minutes. The machine keeps its own
model: the pledges and expenses with their states, what each project holds in the ledger in each unit
(confirmed pledges + payouts − paid expenses), what each funder paid each project.

Each rule states what the use case must do, apart from the code under test: when it must refuse (a
pledge beyond the maximum without stretch goals, a withdrawal after the deadline, an expense paid
twice or without its approval...) the refusal is expected, with nothing written; otherwise the
effect is applied to the model. After every step: ``check_ledger`` finds nothing, each unit sums to
zero over all entries, no account is below its kind's floor, the projects' and the pool's balances
equal the model's, no funder paid more than it gave nor a project it does not accept nor beyond its
caps, no need without stretch goals has standing pledges beyond its maximum, and the states of the
pledges and expenses in the database are the model's.

The machine runs in a thread and hands each step back to the test's event loop (``tests.stateful``);
every table is emptied between examples, and each example builds its call again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind, User
from commons.challenges.schemas import ChallengeCreate
from commons.challenges.services import create_challenge, publish_challenge
from commons.db import utcnow
from commons.errors import Conflict, DomainError, Forbidden, InvalidInput
from commons.expenses.models import Expense, ExpenseStatus
from commons.expenses.schemas import ExpenseCreate
from commons.expenses.services import approve_expense, pay_expense, submit_expense
from commons.funders.models import Funder, PayoutShare
from commons.funders.schemas import FunderCreate, FunderUpdate
from commons.funders.services import PURPOSES, Grant, Payout, add_funder, mark_received, pay_out, update_funder
from commons.ledger.check import check_ledger
from commons.ledger.models import Entry, LedgerAccount
from commons.ledger.rules import EUR, MINUTES, AccountKind, breaks_floor
from commons.pledges.currencies import LocalCurrency
from commons.pledges.models import STANDING, Pledge, PledgeStatus
from commons.pledges.schemas import MoneyPledgeIn, TimePledgeIn
from commons.pledges.services import confirm_pledge, make_pledge, withdraw_pledge
from commons.pledges.settlement import cancel_project, settle_due_projects
from commons.projects.models import ParticipationForm, Project, ResourceKind
from commons.projects.schemas import MembershipCreate, MoneyNeedIn, ProjectCreate, TimeNeedIn
from commons.projects.services import join_project, launch_project
from tests.factories import PASSWORD
from tests.stateful import Loop, SessionMaker, delete_all_rows, run_machine

T = TypeVar("T")
EUSKO = LocalCurrency("EUSKO", "Eusko")  # pegged 1:1 to the euro, kept apart in the ledger
UNITS = (EUR, EUSKO.code, MINUTES)
PROJECT, POOL = AccountKind.PROJECT, AccountKind.CHALLENGE_POOL
PROJECTS = 3
ASSOCIATIVE = 0  # the index of the project led by an association's admin
CONTRIBUTORS = 2
FOUNDATION_SHARE_PERCENT = 50

project_index = st.integers(0, PROJECTS - 1)
contributor_index = st.integers(0, CONTRIBUTORS - 1)
money_amount = st.integers(1, 40_000)
# True three times in four (hypothesis favours small integers, so ``!= 3`` rather than ``> 0``): the rules
# mostly do what may succeed, and now and then what must be refused.
usually = st.integers(0, 3).map(lambda n: n != 3)


@dataclass(frozen=True)
class CallTerms:
    """What varies between examples: the funders' amounts and caps, the needs, which project has stretch goals."""

    authority_cents: int
    authority_cap: int
    foundation_cents: int
    minimums: list[int]  # of each project's money need
    margins: list[int]  # maximum − minimum of each project's money need
    stretch: int


call_terms = st.builds(
    CallTerms,
    authority_cents=st.integers(20_000, 80_000),
    authority_cap=st.integers(10_000, 40_000),
    foundation_cents=st.integers(10_000, 50_000),
    minimums=st.lists(st.integers(5_000, 20_000), min_size=PROJECTS, max_size=PROJECTS),
    margins=st.lists(st.integers(0, 20_000), min_size=PROJECTS, max_size=PROJECTS),
    stretch=project_index,
)


@dataclass
class NeedModel:
    id: int
    minimum: int
    maximum: int


@dataclass
class ProjectModel:
    id: int
    lead_id: int
    stretch: bool
    associative: bool  # led by an association's admin: the only kind the foundation funds
    needs: dict[ResourceKind, NeedModel]
    has_deadline: bool
    deadline_passed: bool = False
    settled: bool = False
    cancelled: bool = False
    held: dict[str, int] = field(default_factory=lambda: dict.fromkeys(UNITS, 0))  # its ledger accounts, by unit
    spent: int = 0

    @property
    def budget(self) -> int:
        return self.needs[ResourceKind.MONEY].maximum

    @property
    def open(self) -> bool:
        """Whether it takes pledges and withdrawals: not cancelled, deadline not passed."""
        return not self.cancelled and not self.deadline_passed


@dataclass
class PledgeModel:
    id: int
    project: int
    kind: ResourceKind
    unit: str  # EUR or EUSKO for money, MIN for time
    amount: int
    contributor_id: int
    status: PledgeStatus = PledgeStatus.PROMISED


@dataclass
class ExpenseModel:
    id: int
    project: int
    author_id: int
    amount: int
    approved: bool = False
    paid: bool = False

    @property
    def status(self) -> ExpenseStatus:
        if self.paid:
            return ExpenseStatus.PAID
        return ExpenseStatus.APPROVED if self.approved else ExpenseStatus.SUBMITTED


@dataclass
class FunderModel:
    id: int
    amount: int
    associations_only: bool
    max_share_percent: int | None
    max_cents: int | None
    paid: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # by project id

    def cap(self, project: ProjectModel) -> int:
        """The most it may ever pay the project (0 when it does not fund it)."""
        if self.associations_only and not project.associative:
            return 0
        caps = [self.amount]
        if self.max_share_percent is not None:
            caps.append(project.budget * self.max_share_percent // 100)
        if self.max_cents is not None:
            caps.append(self.max_cents)
        return min(caps)

    def room(self, project: ProjectModel) -> int:
        """What it may still pay the project: its cap less what it paid it, within what it has left."""
        return max(0, min(self.available, self.cap(project) - self.paid[project.id]))

    @property
    def available(self) -> int:
        return self.amount - sum(self.paid.values())


def pick(data: st.DataObject, items: Sequence[T], likely: Sequence[T], label: str) -> T:
    """One of ``items``, from ``likely`` ones (those a rule can act on) more often than not."""
    prefer_likely: bool = data.draw(usually, label=f"{label} is likely")
    if likely and prefer_likely:
        return data.draw(st.sampled_from(likely), label=label)
    return data.draw(st.sampled_from(items), label=label)


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    assert user is not None
    return user


class ResourcesMachine(RuleBasedStateMachine):
    def __init__(self, loop: Loop, engine: AsyncEngine, sessionmaker: SessionMaker) -> None:
        super().__init__()
        self.loop = loop
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.projects: list[ProjectModel] = []
        self.funders: list[FunderModel] = []
        self.contributors: list[int] = []
        self.member_id = 0
        self.mayor_id = 0
        self.challenge_id = 0
        self.pledges: list[PledgeModel] = []
        self.expenses: list[ExpenseModel] = []
        self.grants: dict[tuple[int | None, str, int], Payout] = {}

    def db(self, step: Callable[[AsyncSession], Awaitable[T]]) -> T:
        return self.loop.in_session(self.sessionmaker, step)

    def attempt(
        self, action: str, refusal: type[DomainError] | None, step: Callable[[AsyncSession], Awaitable[T]]
    ) -> T | None:
        """Run a use case expected to succeed (``refusal`` None) or to be refused with this error."""
        try:
            result = self.db(step)
        except DomainError as error:
            assert refusal is not None and isinstance(error, refusal), f"{action}: unexpected refusal {error!r}"
            return None
        assert refusal is None, f"{action}: expected a {refusal.__name__}, the use case went through"
        return result

    def act(
        self, refusal: type[DomainError] | None, use_case: Callable[..., Awaitable[object]], actor_id: int, **ids: int
    ) -> None:
        """``attempt`` a use case on an existing object (``ids``), as the person ``actor_id``."""

        async def step(session: AsyncSession) -> None:
            await use_case(session, actor=await _user(session, actor_id), **ids)

        self.attempt(use_case.__name__, refusal, step)

    # ------------------------------------------------------------------ the world

    @initialize(terms=call_terms)
    def build_the_call(self, terms: CallTerms) -> None:
        """Each example's call, its funders (their money received in the pool), projects and people."""
        self.db(lambda session: self._build(session, terms))

    async def _build(self, session: AsyncSession, terms: CallTerms) -> None:
        async def person(name: str) -> User:
            return await accounts.sign_up(
                session, email=f"{name}@example.fr", password=PASSWORD, name=name, email_verified=True
            )

        mayor = await person("maire")
        self.mayor_id = mayor.id
        treasurer = await person("tresoriere")
        leads = [await person(f"porteuse{i}") for i in range(PROJECTS)]
        member = await person("membre")
        self.member_id = member.id
        self.contributors = [(await person(f"contributeur{i}")).id for i in range(CONTRIBUTORS)]
        town = await accounts.create_organization(
            session, actor=None, name="Commune", kind=OrganizationKind.COLLECTIVITE
        )
        await accounts.add_organization_admin(session, actor=None, organization_id=town.id, email=mayor.email)
        association = await accounts.create_organization(
            session, actor=None, name="Association", kind=OrganizationKind.ASSOCIATION
        )
        await accounts.add_organization_admin(
            session, actor=None, organization_id=association.id, email=leads[ASSOCIATIVE].email
        )
        foundation = await accounts.create_organization(
            session, actor=None, name="Fondation", kind=OrganizationKind.FONDATION
        )
        await accounts.add_organization_admin(session, actor=None, organization_id=foundation.id, email=treasurer.email)
        call = await create_challenge(
            session,
            actor=mayor,
            data=ChallengeCreate(
                title="Mobilité", problem="Se déplacer.", licence="CC-BY-SA-4.0", pool_cents=terms.authority_cents
            ),
        )
        self.challenge_id = call.id
        await publish_challenge(session, actor=mayor, challenge_id=call.id)
        authority = await session.scalar(select(Funder).where(Funder.challenge_id == call.id))
        assert authority is not None
        await update_funder(
            session,
            actor=mayor,
            challenge_id=call.id,
            funder_id=authority.id,
            data=FunderUpdate(max_cents=terms.authority_cap),
        )
        restricted = await add_funder(
            session,
            actor=mayor,
            challenge_id=call.id,
            data=FunderCreate(
                organization_id=foundation.id,
                amount_cents=terms.foundation_cents,
                kinds=[OrganizationKind.ASSOCIATION],
                max_share_percent=FOUNDATION_SHARE_PERCENT,
            ),
        )
        # Each contribution is marked received by its own organization's admin.
        await mark_received(session, actor=mayor, challenge_id=call.id, funder_id=authority.id)
        await mark_received(session, actor=treasurer, challenge_id=call.id, funder_id=restricted.id)
        self.funders = [
            FunderModel(authority.id, terms.authority_cents, False, None, terms.authority_cap),
            FunderModel(restricted.id, terms.foundation_cents, True, FOUNDATION_SHARE_PERCENT, None),
        ]
        for index, lead in enumerate(leads):
            minimum, maximum = terms.minimums[index], terms.minimums[index] + terms.margins[index]
            project = await launch_project(
                session,
                actor=lead,
                challenge_id=call.id,
                data=ProjectCreate(
                    title=f"Projet {index}",
                    summary="Un projet.",
                    needs=[
                        MoneyNeedIn(label="Argent", min_cents=minimum, max_cents=maximum),
                        TimeNeedIn(label="Temps", min_minutes=120, max_minutes=120 + terms.margins[index] // 50),
                    ],
                    # The last project has no deadline until the machine passes one.
                    funding_deadline=utcnow() + timedelta(days=30) if index < PROJECTS - 1 else None,
                    stretch_goals=index == terms.stretch,
                ),
            )
            await join_project(
                session,
                actor=member,
                project_id=project.id,
                data=MembershipCreate(forms=[ParticipationForm.SUPPORT]),
            )
            self.projects.append(
                ProjectModel(
                    id=project.id,
                    lead_id=lead.id,
                    stretch=index == terms.stretch,
                    associative=index == ASSOCIATIVE,
                    needs={n.kind: NeedModel(n.id, n.min_amount, n.max_amount) for n in project.needs},
                    has_deadline=index < PROJECTS - 1,
                )
            )

    def teardown(self) -> None:
        self.loop.run(delete_all_rows(self.engine))

    # ------------------------------------------------------------------ pledges

    def _standing(self, project: int, kind: ResourceKind) -> int:
        return sum(p.amount for p in self.pledges if p.project == project and p.kind == kind and p.status in STANDING)

    def _pledged(self, project: int) -> bool:
        """Whether the project has standing pledges (what a deadline or a cancellation acts on)."""
        return any(p.project == project and p.status in STANDING for p in self.pledges)

    @precondition(lambda self: any(p.open for p in self.projects))
    @rule(contributor=contributor_index, unit=st.sampled_from(UNITS), data=st.data())
    def pledge(self, contributor: int, unit: str, data: st.DataObject) -> None:
        """Euros, euskos (counted as euros in the need) or minutes, often beyond what a need still lacks;
        mostly on projects still open."""
        indexes = range(PROJECTS)
        project = pick(data, indexes, [i for i in indexes if self.projects[i].open], "project")
        money = unit != MINUTES
        kind = ResourceKind.MONEY if money else ResourceKind.TIME
        amount = data.draw(money_amount if money else st.integers(1, 600), label="amount")
        model = self.projects[project]
        need = model.needs[kind]
        refusal: type[DomainError] | None = None
        if not model.open:
            refusal = Conflict
        elif amount > need.maximum - self._standing(project, kind) and not model.stretch:
            refusal = InvalidInput
        pledge_in = (
            MoneyPledgeIn(need_id=need.id, amount_cents=amount, currency=unit)
            if money
            else TimePledgeIn(need_id=need.id, minutes=amount)
        )
        user_id = self.contributors[contributor]

        async def step(session: AsyncSession) -> int:
            actor = await _user(session, user_id)
            made = await make_pledge(
                session, actor=actor, project_id=model.id, data=pledge_in, local_currencies=[EUSKO]
            )
            return made.id

        pledge_id = self.attempt("pledge", refusal, step)
        if pledge_id is not None:
            self.pledges.append(PledgeModel(pledge_id, project, kind, unit, amount, user_id))

    def _promised(self) -> list[PledgeModel]:
        return [p for p in self.pledges if p.status == PledgeStatus.PROMISED]

    @precondition(lambda self: bool(self._promised()))
    @rule(data=st.data(), own=usually)
    def withdraw(self, data: st.DataObject, own: bool) -> None:
        pledge = pick(data, self.pledges, self._promised(), "pledge")
        actor_id = pledge.contributor_id if own else next(c for c in self.contributors if c != pledge.contributor_id)
        refusal: type[DomainError] | None = None
        if not own:
            refusal = Forbidden
        elif pledge.status != PledgeStatus.PROMISED or not self.projects[pledge.project].open:
            refusal = Conflict

        self.act(refusal, withdraw_pledge, actor_id, pledge_id=pledge.id)
        if refusal is None:
            pledge.status = PledgeStatus.WITHDRAWN

    @precondition(lambda self: bool(self._promised()))
    @rule(data=st.data(), entitled=usually)
    def confirm(self, data: st.DataObject, entitled: bool) -> None:
        """By its project's lead, or the call's admin for money; one time in four by someone else (another
        project's lead, its own contributor, the call's admin for hours)."""
        pledge = pick(data, self.pledges, self._promised(), "pledge")
        lead, stranger = self.projects[pledge.project].lead_id, self.projects[(pledge.project + 1) % PROJECTS].lead_id
        money = pledge.kind == ResourceKind.MONEY
        allowed = [lead, self.mayor_id] if money else [lead]
        refused = [stranger, pledge.contributor_id] if money else [stranger, pledge.contributor_id, self.mayor_id]
        actor_id = data.draw(st.sampled_from(allowed if entitled else refused), label="by")
        refusal: type[DomainError] | None = None
        if not entitled:
            refusal = Forbidden
        elif pledge.status != PledgeStatus.PROMISED:
            refusal = Conflict

        self.act(refusal, confirm_pledge, actor_id, pledge_id=pledge.id)
        if refusal is None:
            pledge.status = PledgeStatus.CONFIRMED
            self.projects[pledge.project].held[pledge.unit] += pledge.amount

    # ------------------------------------------------------------------ deadlines and cancellation

    def _release(self, project: int) -> None:
        """The model of releasing a project's standing pledges: confirmed ones go back to their contributors."""
        for pledge in self.pledges:
            if pledge.project == project and pledge.status in STANDING:
                if pledge.status == PledgeStatus.CONFIRMED:
                    self.projects[project].held[pledge.unit] -= pledge.amount
                pledge.status = PledgeStatus.RELEASED

    def _reached_minimum(self, project: int) -> bool:
        return all(self._standing(project, kind) >= need.minimum for kind, need in self.projects[project].needs.items())

    def _conditional(self, project: int) -> int:
        """Euros from confirmed pledges that an unsettled all-or-nothing deadline may still release."""
        model = self.projects[project]
        if not model.has_deadline or model.settled:
            return 0
        return sum(
            p.amount
            for p in self.pledges
            if p.project == project and p.status == PledgeStatus.CONFIRMED and p.unit == EUR
        )

    def _can_give_back(self, project: int) -> bool:
        """Whether the project still holds every confirmed pledge it would give back (money may be spent)."""
        confirmed: defaultdict[str, int] = defaultdict(int)
        for pledge in self.pledges:
            if pledge.project == project and pledge.status == PledgeStatus.CONFIRMED:
                confirmed[pledge.unit] += pledge.amount
        return all(self.projects[project].held[unit] >= total for unit, total in confirmed.items())

    @precondition(lambda self: any(not p.deadline_passed and self._pledged(i) for i, p in enumerate(self.projects)))
    @rule(data=st.data())
    def pass_a_deadline(self, data: st.DataObject) -> None:
        """The deadline of a project with pledges is now past (as if time had run), for the next sweep."""
        due = [p for i, p in enumerate(self.projects) if not p.deadline_passed and self._pledged(i)]
        model = data.draw(st.sampled_from(due), label="project")

        async def step(session: AsyncSession) -> None:
            past = utcnow() - timedelta(seconds=1)
            await session.execute(update(Project).where(Project.id == model.id).values(funding_deadline=past))
            await session.commit()

        self.db(step)
        model.deadline_passed = model.has_deadline = True

    @precondition(lambda self: any(p.deadline_passed and not p.settled and not p.cancelled for p in self.projects))
    @rule(twice=st.booleans())
    def sweep(self, twice: bool) -> None:
        """The settlement sweep; a second run right after has nothing left to do."""
        due = [i for i, p in enumerate(self.projects) if p.deadline_passed and not p.settled and not p.cancelled]
        kept = {index: self._reached_minimum(index) for index in due}
        # Conditional money cannot be spent before settlement, so every due project can give it back.
        assert all(self._can_give_back(index) for index in due)
        assert self.db(settle_due_projects) == len(due)
        for index in due:
            if not kept[index]:
                self._release(index)
            self.projects[index].settled = True
        if twice:
            assert self.db(settle_due_projects) == 0

    @precondition(lambda self: any(self._pledged(i) for i in range(PROJECTS)))
    @rule(data=st.data(), by_lead=usually)
    def cancel(self, data: st.DataObject, by_lead: bool) -> None:
        """The lead cancels a project, mostly one with pledges to release (the member tries, one time in four)."""
        indexes = range(PROJECTS)
        project = pick(data, indexes, [i for i in indexes if self._pledged(i)], "project")
        model = self.projects[project]
        actor_id = model.lead_id if by_lead else self.member_id
        refusal: type[DomainError] | None = None
        if not by_lead:
            refusal = Forbidden
        elif model.cancelled:
            refusal = Conflict
        elif not self._can_give_back(project):
            refusal = Conflict

        self.act(refusal, cancel_project, actor_id, project_id=model.id)
        if refusal is None:
            self._release(project)
            model.cancelled = True

    # ------------------------------------------------------------------ the pool

    @rule(
        project=project_index,
        cents=st.integers(1, 60_000),
        divisible=st.booleans(),
        purpose=st.sampled_from(PURPOSES),
        round_id=st.sampled_from([None, 1]),
    )
    def pay_a_grant(self, project: int, cents: int, divisible: bool, purpose: str, round_id: int | None) -> None:
        """A grant out of the pool; the same grant again (whatever it asks now) has its first outcome, once."""
        model = self.projects[project]
        grant = Grant(project_id=model.id, cents=cents, divisible=divisible, purpose=purpose)

        async def step(session: AsyncSession) -> Payout:
            payout = await pay_out(session, challenge_id=self.challenge_id, round_id=round_id, grants=[grant])
            await session.commit()
            return payout

        payout = self.db(step)
        key = (round_id, purpose, model.id)
        if key in self.grants:
            assert payout == self.grants[key]
            return
        [paid] = payout.grants
        rooms = {f.id: f.room(model) for f in self.funders}
        coverable = sum(rooms.values())
        expected = min(cents, coverable) if divisible else (cents if cents <= coverable else 0)
        if model.cancelled:
            expected = 0  # a cancelled project is paid nothing
        assert paid.paid_cents == expected, (paid, rooms)
        assert sum(paid.by_funder.values()) == expected
        for funder in self.funders:
            share = paid.by_funder.get(funder.id, 0)
            assert 0 <= share <= rooms[funder.id]
            funder.paid[model.id] += share
        model.held[EUR] += expected
        self.grants[key] = payout

    # ------------------------------------------------------------------ expenses

    @precondition(lambda self: len([e for e in self.expenses if e.author_id == self.member_id and not e.paid]) < 3)
    @rule(project=project_index, by_member=usually, data=st.data())
    def submit(self, project: int, by_member: bool, data: st.DataObject) -> None:
        """An expense, often within what the project holds, by the member (by the lead one time in four:
        then nobody else may approve it)."""
        model = self.projects[project]
        cents = data.draw(st.integers(1, max(1, model.held[EUR])) | st.integers(1, 30_000), label="cents")
        author_id = self.member_id if by_member else model.lead_id
        spending = ExpenseCreate(
            amount_cents=cents, purpose="Matériel", receipt_reference="F-1", spent_on=utcnow().date()
        )

        async def step(session: AsyncSession) -> int:
            actor = await _user(session, author_id)
            return (await submit_expense(session, actor=actor, project_id=model.id, data=spending)).id

        expense_id = self.attempt("submit", Conflict if model.cancelled else None, step)
        if expense_id is not None:
            self.expenses.append(ExpenseModel(expense_id, project, author_id, cents))

    def _approvable(self) -> list[ExpenseModel]:
        """The expenses waiting for the approval of a lead who did not write them."""
        return [e for e in self.expenses if not e.approved and e.author_id != self.projects[e.project].lead_id]

    @precondition(lambda self: bool(self._approvable()))
    @rule(data=st.data(), by_lead=usually)
    def approve(self, data: st.DataObject, by_lead: bool) -> None:
        """One approval is needed, a lead's other than the author's: a member's alone never suffices (the
        member tries one time in four)."""
        expense = pick(data, self.expenses, self._approvable(), "expense")
        actor_id = self.projects[expense.project].lead_id if by_lead else self.member_id
        refusal: type[DomainError] | None = None
        if actor_id == expense.author_id:
            refusal = Forbidden
        elif expense.paid or expense.approved:
            refusal = Conflict
        elif not by_lead:
            refusal = Forbidden

        self.act(refusal, approve_expense, actor_id, expense_id=expense.id)
        if refusal is None:
            expense.approved = True

    @precondition(lambda self: any(e.approved and not e.paid for e in self.expenses))
    @rule(data=st.data(), by_lead=usually)
    def pay(self, data: st.DataObject, by_lead: bool) -> None:
        """Paid once, approved, by a lead, from what the project holds: anything else is refused (the
        member tries one time in four)."""
        expense = pick(data, self.expenses, [e for e in self.expenses if e.approved and not e.paid], "expense")
        project = self.projects[expense.project]
        actor_id = project.lead_id if by_lead else self.member_id
        refusal: type[DomainError] | None = None
        if not by_lead:
            refusal = Forbidden
        elif (
            expense.paid
            or not expense.approved
            or project.held[EUR] - self._conditional(expense.project) < expense.amount
        ):
            refusal = Conflict

        self.act(refusal, pay_expense, actor_id, expense_id=expense.id)
        if refusal is None:
            expense.paid = True
            project.held[EUR] -= expense.amount
            project.spent += expense.amount

    # ------------------------------------------------------------------ what must hold

    @invariant()
    def everything_reconciles(self) -> None:
        if not self.projects:
            return  # before the call is built
        self.db(self._check)

    async def _check(self, session: AsyncSession) -> None:
        assert await check_ledger(session) == []
        per_unit = await session.execute(select(Entry.unit, func.sum(Entry.amount)).group_by(Entry.unit))
        assert all(int(total) == 0 for _, total in per_unit)
        balances = {
            (kind, owner_id, unit): int(total)
            for kind, owner_id, unit, total in await session.execute(
                select(LedgerAccount.kind, LedgerAccount.owner_id, LedgerAccount.unit, func.sum(Entry.amount))
                .join(Entry, Entry.account_id == LedgerAccount.id)
                .group_by(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.owner_id, LedgerAccount.unit)
            )
        }
        assert not [account for account, total in balances.items() if breaks_floor(account[0], total)]
        for project in self.projects:
            held = {
                unit: total for (kind, owner, unit), total in balances.items() if (kind, owner) == (PROJECT, project.id)
            }
            assert {unit: held.get(unit, 0) for unit in UNITS} == project.held
            assert set(held) <= set(UNITS)
            assert balances.get((AccountKind.PROJECT_SPENT, project.id, EUR), 0) == project.spent
        pool = {
            unit: total for (kind, owner, unit), total in balances.items() if (kind, owner) == (POOL, self.challenge_id)
        }
        assert pool == {EUR: sum(f.available for f in self.funders)}

        shares: defaultdict[tuple[int, int], int] = defaultdict(int)
        for funder_id, project_id, cents in await session.execute(
            select(PayoutShare.funder_id, PayoutShare.project_id, func.sum(PayoutShare.cents)).group_by(
                PayoutShare.funder_id, PayoutShare.project_id
            )
        ):
            shares[funder_id, project_id] = int(cents)
        for funder in self.funders:
            assert {p: c for (f, p), c in shares.items() if f == funder.id} == {
                p: c for p, c in funder.paid.items() if c
            }
            assert funder.available >= 0
            for project in self.projects:
                assert funder.paid[project.id] <= funder.cap(project)

        standing: defaultdict[int, int] = defaultdict(int)
        statuses: dict[int, PledgeStatus] = {}
        for pledge_id, need_id, amount, status in await session.execute(
            select(Pledge.id, Pledge.need_id, Pledge.amount, Pledge.status)
        ):
            statuses[pledge_id] = status
            if status in STANDING:
                standing[need_id] += amount
        assert statuses == {p.id: p.status for p in self.pledges}
        for index, project in enumerate(self.projects):
            for kind, need in project.needs.items():
                assert standing[need.id] == self._standing(index, kind)
                if not project.stretch:
                    assert standing[need.id] <= need.maximum
        expenses = {
            expense_id: status for expense_id, status in await session.execute(select(Expense.id, Expense.status))
        }
        assert expenses == {e.id: e.status for e in self.expenses}
        await session.commit()


async def test_random_pledges_settlements_payouts_and_expenses_reconcile(
    engine: AsyncEngine, sessionmaker: SessionMaker
) -> None:
    await run_machine(
        lambda loop: ResourcesMachine(loop, engine, sessionmaker), max_examples=10, stateful_step_count=30
    )
