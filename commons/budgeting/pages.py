"""HTML pages of co-budgets ("relevés"): declare one, vote, spread a wallet, close, read the result.

Ballots and wallets are secret: the pages show how many people voted or take part, never who
chose what; a signed-in person sees only their own ballot or wallet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.budgeting import services
from commons.budgeting.models import Round, RoundResult, RoundRule, RoundStatus
from commons.budgeting.schemas import BallotIn, DelegationIn, RoundCreate, SpendingIn, SpendingLine
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import can_administer, get_challenge
from commons.db import utcnow
from commons.eligibility.services import holds_credential
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.throttle import Action
from commons.web.auth import require_user
from commons.web.forms import PARIS, Form, RawForm, convert, euros_input, parse_cents, undo
from commons.web.templating import flash, fragment, is_htmx, render

PageRequest = Request[Any, Any, State]

MAX_COLLEGES = 4
RULES = {
    "greedy": (
        "Répartition gloutonne (greedy)",
        "Les projets sont classés selon leurs voix, puis financés dans cet ordre tant que chacun tient "
        "dans ce qui reste du budget ; un projet trop cher est passé et les suivants sont encore examinés.",
    ),
    "equal_shares": (
        "Parts égales (equal shares)",
        "Chaque votant reçoit une part égale du budget ; un projet est financé quand ses soutiens peuvent "
        "le payer ensemble avec leurs parts, si bien que chaque groupe de votants décide d'une part du "
        "budget proportionnelle à sa taille.",
    ),
    "quadratic": (
        "Abondement quadratique",
        "L'enveloppe abonde l'argent que chacun donne aux projets candidats pendant le co-budget, selon la "
        "formule du financement quadratique : beaucoup de petits dons pèsent plus qu'un gros. Chaque personne "
        "compte une fois par projet ; si les abondements dépassent l'enveloppe, tous sont réduits dans la même "
        "proportion.",
    ),
    "ratio": (
        "Abondement au ratio",
        "L'enveloppe ajoute un multiple fixe de chaque don fait aux projets candidats pendant le co-budget "
        "(par exemple 2 € pour 1 € donné), dans la limite des plafonds par projet et par personne, tant "
        "qu'il reste de l'argent dans l'enveloppe.",
    ),
    "wallets": (
        "Portefeuilles (façon Cobudget)",
        "Les participants s'inscrivent avant l'ouverture ; l'enveloppe est alors partagée à parts égales entre "
        "eux et chacun répartit son portefeuille entre les projets jusqu'à la clôture. Un projet qui atteint "
        "son minimum est financé ; l'argent mis sur les autres suit la règle déclarée.",
    ),
}
RATIO_MODES = {
    "first_come": (
        "Premier arrivé, premier servi",
        "Les dons sont abondés dans leur ordre d'arrivée jusqu'à ce que l'enveloppe soit vide.",
    ),
    "proportional": (
        "Proportionnel, à la clôture",
        "À la clôture, si les abondements dépassent l'enveloppe, tous sont réduits dans la même proportion.",
    ),
}
LEFTOVERS = {
    "pool": (
        "Retour à l'enveloppe",
        "L'argent mis sur un projet qui n'atteint pas son minimum retourne à l'enveloppe.",
    ),
    "respread": (
        "Second tour",
        "Cet argent est rendu à chacun, qui le reporte sur les projets financés qu'il soutenait déjà, dans la "
        "limite de leur maximum ; ce qui ne peut être placé retourne à l'enveloppe.",
    ),
}
ELIGIBILITIES = {
    "email": ("Adresse e-mail vérifiée", "Toute personne dont l'adresse e-mail est vérifiée participe."),
    "census": (
        "Liste de l'autorité",
        "Vous importez une liste d'identifiants (numéros d'électeur, de carte de résident…) ; chacun sert à une "
        "seule personne. Les identifiants ne sont gardés que sous forme d'empreintes illisibles.",
    ),
    "codes": (
        "Codes d'invitation",
        "Vous générez des codes à distribuer ; chacun sert une fois, à une seule personne. Ils ne sont montrés "
        "qu'au moment de leur création.",
    ),
}
SATISFACTIONS = {
    "cost": ("Au coût", "La satisfaction d'un votant est le coût des projets financés qu'il a choisis."),
    "cardinality": (
        "À la cardinalité",
        "La satisfaction d'un votant est le nombre de projets financés qu'il a choisis.",
    ),
}
# How the greedy rule ranks projects under each satisfaction.
GREEDY_RANKING = {
    "cost": "Les projets sont classés par nombre de voix.",
    "cardinality": "Les projets sont classés par voix par euro demandé : à voix égales, le moins cher d'abord.",
}
COMPLETIONS = {
    "add1": (
        "add1 (par défaut)",
        "Comme les parts égales laissent souvent de l'argent inutilisé, le calcul est refait en augmentant "
        "peu à peu la part de chacun, et l'on garde le dernier résultat qui tient dans le budget.",
    ),
    "add1u": (
        "add1u",
        "Comme add1, puis ce qui reste va, dans l'ordre des voix, aux projets qui tiennent encore dans le budget.",
    ),
    "none": (
        "Aucune",
        "Le résultat des parts égales est gardé tel quel ; une partie du budget peut rester inutilisée.",
    ),
}
ROUND_STATUS_LABELS = {
    "upcoming": "À venir",
    "open": "Ouvert",
    "due": "Clôture imminente",
    "closed": "Calcul en cours",
    "published": "Résultat publié",
}
_LABELS = {
    "title": "Titre",
    "rule": "Règle",
    "satisfaction": "Satisfaction",
    "completion": "Complétion",
    "budget_cents": "Budget",
    "seed_cents": "Amorçage par projet",
    "opens_at": "Ouverture",
    "closes_at": "Clôture",
    "min_choices": "Nombre minimal de choix",
    "max_choices": "Nombre maximal de choix",
    "max_ballot_cents": "Montant maximal par bulletin",
    "colleges": "Collèges",
    "project_cap_cents": "Plafond par projet",
    "ratio": "Ratio",
    "person_cap_cents": "Plafond par personne",
    "ratio_mode": "Mode d'abondement",
    "delegation_allowed": "Délégation",
    "leftover": "Argent non utilisé",
    "eligibility": "Qui peut participer",
}
_DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def parse_local_datetime(form: Form, name: str, label: str) -> datetime:
    """A ``<input type="datetime-local">`` value, read as Paris time, in UTC."""
    value = form.required(name, label)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"« {label} » : date et heure invalides « {value} » (attendu AAAA-MM-JJTHH:MM).") from None
    if moment.tzinfo is not None:
        raise InvalidInput(f"« {label} » : indiquez l'heure de Paris, sans fuseau.")
    return moment.replace(tzinfo=PARIS).astimezone(UTC)


def local_datetime_input(moment: datetime) -> str:
    """A UTC moment as a ``datetime-local`` input shows it, in Paris time."""
    return moment.astimezone(PARIS).strftime(_DATETIME_INPUT)


def round_state(round_: Round, now: datetime | None = None) -> str:
    """Where a round is, as a person sees it: a key of ``ROUND_STATUS_LABELS``."""
    now = now or utcnow()
    if round_.status == RoundStatus.PUBLISHED:
        return "published"
    if round_.status == RoundStatus.CLOSED:
        return "closed"
    if now < round_.opens_at:
        return "upcoming"
    return "open" if now < round_.closes_at else "due"


def _colleges(form: Form) -> list[dict[str, Any]]:
    colleges: list[dict[str, Any]] = []
    for i in range(MAX_COLLEGES):
        name, kinds = form.text(f"college_name_{i}"), form.values(f"college_kinds_{i}")
        weight = form.integer(f"college_weight_{i}", f"Poids du collège n°{i + 1}")
        if not name:
            if kinds or weight is not None:
                raise InvalidInput(f"Collège n°{i + 1} : donnez-lui un nom.")
            continue
        if not kinds:
            raise InvalidInput(f"Collège « {name} » : cochez au moins une famille d'acteurs.")
        colleges.append({"name": name, "weight": weight if weight is not None else 1, "kinds": kinds})
    return colleges


def _choice(form: Form, name: str, label: str, choices: dict[str, tuple[str, str]], default: str) -> str:
    """The value of a select, one of its options."""
    value = form.text(name) or default
    if value not in choices:
        raise InvalidInput(f"« {label} » : choisissez parmi {', '.join(label for label, _ in choices.values())}.")
    return value


def _round_fields(form: Form) -> dict[str, Any]:
    budget = form.cents("budget", "Budget")
    if budget is None:
        raise InvalidInput("Le champ « Budget » est obligatoire.")
    fields: dict[str, Any] = {
        "title": form.required("title", "Titre"),
        "rule": _choice(form, "rule", "Règle", RULES, "greedy"),
        "satisfaction": _choice(form, "satisfaction", "Satisfaction", SATISFACTIONS, "cost"),
        "completion": _choice(form, "completion", "Complétion", COMPLETIONS, "add1"),
        "budget_cents": budget,
        "seed_cents": form.cents("seed", "Amorçage par projet") or 0,
        "opens_at": parse_local_datetime(form, "opens_at", "Ouverture"),
        "closes_at": parse_local_datetime(form, "closes_at", "Clôture"),
        "min_choices": form.integer("min_choices", "Nombre minimal de choix") or 0,
        "max_choices": form.integer("max_choices", "Nombre maximal de choix"),
        "max_ballot_cents": form.cents("max_ballot", "Montant maximal par bulletin"),
        "colleges": _colleges(form),
        "project_cap_cents": form.cents("project_cap", "Plafond par projet"),
        "person_cap_cents": form.cents("person_cap", "Plafond par personne"),
        "ratio_mode": _choice(form, "ratio_mode", "Mode d'abondement", RATIO_MODES, "first_come"),
        "delegation_allowed": form.text("delegation_allowed") == "1",
        "leftover": _choice(form, "leftover", "Argent non utilisé", LEFTOVERS, "pool"),
        "eligibility": _choice(form, "eligibility", "Qui peut participer", ELIGIBILITIES, "email"),
    }
    if form.text("ratio"):
        fields["ratio"] = form.text("ratio")
    return fields


def _new_form_values(challenge: Challenge) -> dict[str, str]:
    """A new round's form: opening now, closing in two weeks, the call's pool as budget."""
    now = utcnow().replace(second=0, microsecond=0)
    return {
        "rule": "greedy",
        "satisfaction": "cost",
        "completion": "add1",
        "ratio_mode": "first_come",
        "leftover": "pool",
        "eligibility": "email",
        "budget": euros_input(challenge.pool_cents),
        "opens_at": local_datetime_input(now),
        "closes_at": local_datetime_input(now + timedelta(days=14)),
    }


async def _administered(db: AsyncSession, user: User, challenge_id: int) -> Challenge:
    """A call whose co-budgets the user manages (its organization's admins only)."""
    challenge = await get_challenge(db, challenge_id, viewer=user)
    if not await can_administer(db, user=user, challenge=challenge):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte l'appel gèrent ses co-budgets.")
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("L'appel est clos : on ne peut plus y ouvrir de co-budget.")
    return challenge


async def _form_page(
    db: AsyncSession,
    user: User,
    challenge: Challenge,
    *,
    form: dict[str, Any] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return await render(
        "rounds/form.html",
        db=db,
        user=user,
        challenge=challenge,
        form=form if form is not None else _new_form_values(challenge),
        rules=RULES,
        satisfactions=SATISFACTIONS,
        completions=COMPLETIONS,
        ratio_modes=RATIO_MODES,
        leftovers=LEFTOVERS,
        eligibilities=ELIGIBILITIES,
        max_colleges=MAX_COLLEGES,
        error=error,
        status_code=status_code,
    )


def _submitted(form: Form) -> dict[str, Any]:
    """What was typed, to fill the form again, college kinds as the lists of checked boxes."""
    values: dict[str, Any] = form.as_dict()
    for i in range(MAX_COLLEGES):
        values[f"college_kinds_{i}"] = form.values(f"college_kinds_{i}")
    return values


async def rounds_context(db: AsyncSession, *, challenge_id: int, viewer: User | None) -> dict[str, Any]:
    """What ``rounds/_list.html`` needs to list a call's co-budgets (the call page includes it too),
    with the current estimated match of the open matching rounds."""
    rounds = await services.list_rounds(db, challenge_id=challenge_id, viewer=viewer)
    return {
        "rounds": rounds,
        "estimates": await services.estimates_of(db, rounds),
        "round_state": round_state,
        "round_status_labels": ROUND_STATUS_LABELS,
        "rules": RULES,
    }


@get("/challenges/{challenge_id:int}/rounds", name="rounds:list")
async def list_rounds(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
) -> Template:
    """The co-budgets of a call: its own page, or the list alone for htmx (the call page loads it)."""
    challenge = await get_challenge(db, challenge_id, viewer=user)
    context = {"challenge": challenge, **await rounds_context(db, challenge_id=challenge_id, viewer=user)}
    if is_htmx(request):
        return fragment("rounds/_list.html", **context)
    administer = await can_administer(db, user=user, challenge=challenge)
    return await render("rounds/list.html", db=db, user=user, can_administer=administer, **context)


@get("/challenges/{challenge_id:int}/rounds/new", name="rounds:new")
async def new_round(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
) -> Template:
    author = require_user(user)
    return await _form_page(db, author, await _administered(db, author, challenge_id))


@post("/challenges/{challenge_id:int}/rounds/new", name="rounds:create")
async def create_round(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    author = require_user(user)
    challenge = await _administered(db, author, challenge_id)
    form = Form(data)
    try:
        create = convert(_round_fields(form), RoundCreate, _LABELS)
        round_ = await services.create_round(db, actor=author, challenge_id=challenge_id, data=create)
    except (InvalidInput, Conflict) as exc:
        await undo(db, author, challenge)
        return await _form_page(
            db, author, challenge, form=_submitted(form), error=exc.message, status_code=exc.status_code
        )
    flash(request, f"Co-budget créé : ses règles sont publiques et figées dès {services.FROZEN_BY[round_.rule]}.")
    return Redirect(f"/rounds/{round_.id}", status_code=303)


@dataclass(frozen=True, slots=True)
class Selection:
    """A ballot being filled in: what it costs against the round's limits ("see what is left")."""

    project_ids: frozenset[int]
    count: int
    total_cents: int
    max_ballot_cents: int | None
    min_choices: int
    max_choices: int | None

    @classmethod
    def of(cls, round_: Round, project_ids: set[int]) -> Selection:
        costs = {c.project_id: c.cost_cents for c in round_.candidates}
        chosen = frozenset(p for p in project_ids if p in costs)
        return cls(
            project_ids=chosen,
            count=len(chosen),
            total_cents=sum(costs[p] for p in chosen),
            max_ballot_cents=round_.max_ballot_cents,
            min_choices=round_.min_choices,
            max_choices=round_.max_choices,
        )

    @property
    def left_cents(self) -> int | None:
        return None if self.max_ballot_cents is None else self.max_ballot_cents - self.total_cents

    @property
    def problems(self) -> list[str]:
        """What would make this ballot refused, in words."""
        found = []
        if self.left_cents is not None and self.left_cents < 0:
            found.append("Vos choix dépassent le montant permis par bulletin.")
        if self.max_choices is not None and self.count > self.max_choices:
            found.append(f"Choisissez au plus {self.max_choices} projet(s).")
        if self.count < self.min_choices:
            found.append(f"Choisissez au moins {self.min_choices} projet(s).")
        return found


async def round_page(
    db: AsyncSession,
    user: User | None,
    round_: Round,
    *,
    chosen: set[int] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    """The round page, also shown again with a ballot's error or a preview of its cost."""
    state = round_state(round_)
    ballot = await services.own_ballot(db, actor=user, round_id=round_.id) if user else None
    wallet = (
        await services.wallet_of(db, round_id=round_.id, actor=user)
        if user and round_.rule == RoundRule.WALLETS
        else None
    )
    if chosen is None:
        chosen = set(ballot.approvals) if ballot else set()
    college, college_error = None, ""
    # The person's college, while they can vote or pledge, and before the opening for wallet registrations.
    if user and state in ("open", "upcoming"):
        try:
            college = await services.college_of(db, round_, user)
        except Forbidden as exc:
            college_error = exc.message
    challenge = await get_challenge(db, round_.challenge_id, viewer=user)
    return await render(
        "rounds/detail.html",
        db=db,
        user=user,
        round=round_,
        challenge=challenge,
        state=state,
        round_status_labels=ROUND_STATUS_LABELS,
        rules=RULES,
        satisfactions=SATISFACTIONS,
        greedy_ranking=GREEDY_RANKING,
        completions=COMPLETIONS,
        ratio_modes=RATIO_MODES,
        leftovers=LEFTOVERS,
        eligibilities=ELIGIBILITIES,
        ratio=services.ratio_text(round_),
        estimate=(await services.estimates_of(db, [round_])).get(round_.id),
        progress=await services.computing_progress(round_),
        wallet=wallet,
        participant_count=len(await services.participants_of(db, round_id=round_.id, viewer=user)),
        ballot_count=await services.ballot_count(db, round_.id),
        has_ballot=ballot is not None,
        selection=Selection.of(round_, chosen),
        college=college,
        college_error=college_error,
        can_administer=await can_administer(db, user=user, challenge=challenge),
        eligible=await holds_credential(db, round_, user),
        error=error,
        status_code=status_code,
    )


@get("/rounds/{round_id:int}", name="rounds:detail")
async def round_detail(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
) -> Template:
    return await round_page(db, user, await services.get_round(db, round_id, viewer=user))


def _approvals(form: Form) -> list[int]:
    values = form.values("approvals")
    if not all(v.isdigit() and len(v) < 10 for v in values):
        raise InvalidInput("Choix de projet invalide.")
    return [int(v) for v in values]


@post("/rounds/{round_id:int}/ballot", name="rounds:vote")
async def vote(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    """Cast or replace one's ballot; with ``action=preview``, only show what the selection costs."""
    voter = require_user(user)
    form = Form(data)
    round_ = await services.get_round(db, round_id, viewer=voter)
    try:
        approvals = _approvals(form)
        if form.text("action") == "preview":
            return await round_page(db, voter, round_, chosen=set(approvals))
        await request.app.state.throttle.spend(Action.BALLOT, voter.id)
        await services.submit_ballot(db, actor=voter, round_id=round_id, data=BallotIn(approvals=approvals))
    except (InvalidInput, Conflict, Forbidden) as exc:
        await undo(db, voter)
        round_ = await services.get_round(db, round_id, viewer=voter)
        chosen = {int(v) for v in form.values("approvals") if v.isdigit() and len(v) < 10}
        return await round_page(db, voter, round_, chosen=chosen, error=exc.message, status_code=exc.status_code)
    flash(request, "Bulletin enregistré. Vous pouvez le modifier jusqu'à la clôture.")
    return Redirect(f"/rounds/{round_id}#bulletin", status_code=303)


@post("/rounds/{round_id:int}/close", name="rounds:close")
async def close_round(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
) -> Redirect:
    await services.close_round(db, actor=require_user(user), round_id=round_id)
    flash(request, "Co-budget clos : plus aucun bulletin n'est accepté. Le résultat est en cours de calcul.")
    return Redirect(f"/rounds/{round_id}", status_code=303)


@dataclass(frozen=True, slots=True)
class Bar:
    """One project's row of the allocation chart, in SVG user units."""

    y: int
    title: str
    label: str
    cost_width: float
    funded_width: float
    seed_width: float
    cost_cents: int
    total_cents: int
    selected: bool


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart of a result: per project, its cost and the part funded."""

    width: int
    height: int
    label_width: int
    bar_width: int
    row_height: int
    bars: list[Bar]


def _shorten(text: str, length: int) -> str:
    """A label that fits its column (SVG text does not wrap); the full title is in the bar's tooltip."""
    return text if len(text) <= length else text[: length - 1].rstrip(" :,;") + "…"


def ordered_lines(result: RoundResult) -> list[dict[str, Any]]:
    """A result's lines as people read them: funded projects in funding order (or by amount when the
    rule has no order), then the others by votes or supporters."""
    return sorted(
        result.lines,
        key=lambda line: (not line["selected"], line["rank"] or 0, -line["allocated_cents"], -line["votes"]),
    )


def allocation_chart(
    lines: list[dict[str, Any]], *, width: int = 760, label_width: int = 290, row_height: int = 44
) -> Chart:
    """The geometry of the chart: bars proportional to the largest amount (cost or allocation)."""
    bar_width = width - label_width - 150
    scale = max([max(line["cost_cents"], line["total_cents"]) for line in lines] + [1])
    bars = [
        Bar(
            y=i * row_height,
            title=line["title"],
            label=_shorten(line["title"], 30),
            cost_width=round(bar_width * line["cost_cents"] / scale, 1),
            funded_width=round(bar_width * line["total_cents"] / scale, 1),
            seed_width=round(bar_width * min(line["seed_cents"], line["total_cents"]) / scale, 1),
            cost_cents=line["cost_cents"],
            total_cents=line["total_cents"],
            selected=line["selected"],
        )
        for i, line in enumerate(lines)
    ]
    return Chart(
        width=width,
        height=len(bars) * row_height + 28,
        label_width=label_width,
        bar_width=bar_width,
        row_height=row_height,
        bars=bars,
    )


@get("/rounds/{round_id:int}/result", name="rounds:result")
async def round_result(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
) -> Template:
    round_ = await services.get_round(db, round_id, viewer=user)
    challenge = await get_challenge(db, round_.challenge_id, viewer=user)
    context: dict[str, Any] = {"round": round_, "challenge": challenge, "rules": RULES}
    try:
        result = await services.get_result(db, round_id=round_id, viewer=user)
    except NotFound as exc:
        return await render("rounds/pending.html", db=db, user=user, message=exc.message, status_code=404, **context)
    lines = ordered_lines(result)
    return await render(
        "rounds/result.html",
        db=db,
        user=user,
        result=result,
        lines=lines,
        funded_count=sum(1 for line in lines if line["selected"]),
        paid_cents=sum(line.get("paid_cents", 0) for line in lines),
        chart=allocation_chart(lines),
        satisfactions=SATISFACTIONS,
        completions=COMPLETIONS,
        supporters_label=SUPPORTERS[round_.rule],
        **context,
    )


# What a result's "votes" column counts, by rule.
SUPPORTERS = {
    RoundRule.GREEDY: "Voix",
    RoundRule.EQUAL_SHARES: "Voix",
    RoundRule.QUADRATIC: "Donateurs",
    RoundRule.RATIO: "Donateurs",
    RoundRule.WALLETS: "Soutiens",
}


async def wallet_page(
    db: AsyncSession,
    user: User,
    round_: Round,
    *,
    typed: dict[int, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    """ "Mon portefeuille": what I have, delegated and received, my spread, and what is left.

    ``typed`` is a spread being filled in (shown again with an error, or previewed), in euros.
    """
    wallet = await services.wallet_of(db, round_id=round_.id, actor=user)
    if typed is None:
        typed = {project: euros_input(cents) for project, cents in wallet.spending.items()}
    planned = 0
    for value in typed.values():
        try:
            planned += parse_cents(value, "") if value else 0
        except InvalidInput:
            continue  # the error names it; the total shows what can be read
    people = await services.participants_of(db, round_id=round_.id, viewer=user)
    return await render(
        "rounds/wallet.html",
        db=db,
        user=user,
        round=round_,
        challenge=await get_challenge(db, round_.challenge_id, viewer=user),
        state=round_state(round_),
        round_status_labels=ROUND_STATUS_LABELS,
        leftovers=LEFTOVERS,
        eligibilities=ELIGIBILITIES,
        wallet=wallet,
        typed=typed,
        planned_cents=planned,
        delegates=[person for person in people if person.id != user.id],
        error=error,
        status_code=status_code,
    )


@get("/rounds/{round_id:int}/wallet", name="rounds:wallet")
async def wallet(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
) -> Template:
    person = require_user(user)
    return await wallet_page(db, person, await services.get_round(db, round_id, viewer=person))


def _spread(typed: dict[int, str], round_: Round) -> list[SpendingLine]:
    """The amounts typed per candidate (in euros) as spending lines; blanks are left out."""
    return [
        SpendingLine(project_id=c.project_id, amount_cents=parse_cents(typed[c.project_id], c.project.title))
        for c in round_.candidates
        if typed[c.project_id]
    ]


async def _wallet_change(
    request: PageRequest,
    db: AsyncSession,
    person: User,
    round_id: int,
    change: Callable[[], Awaitable[object]],
    done: str,
    *,
    typed: dict[int, str] | None = None,
) -> Template | Redirect:
    """Apply a change to one's wallet: back to the wallet page with ``done``, or with the refusal and
    what was typed."""
    try:
        await change()
    except (InvalidInput, Conflict, Forbidden) as exc:
        await undo(db, person)
        round_ = await services.get_round(db, round_id, viewer=person)
        return await wallet_page(db, person, round_, typed=typed, error=exc.message, status_code=exc.status_code)
    flash(request, done)
    return Redirect(f"/rounds/{round_id}/wallet", status_code=303)


@post("/rounds/{round_id:int}/wallet", name="rounds:spend")
async def spend(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    """Save one's spread; with ``action=preview``, only show what would be left."""
    person = require_user(user)
    form = Form(data)
    round_ = await services.get_round(db, round_id, viewer=person)
    typed = {c.project_id: form.text(f"amount_{c.project_id}") for c in round_.candidates}
    if form.text("action") == "preview":
        return await wallet_page(db, person, round_, typed=typed)

    async def save() -> None:
        lines = _spread(typed, round_)
        await services.save_spending(db, actor=person, round_id=round_id, data=SpendingIn(lines=lines))

    done = "Répartition enregistrée. Vous pouvez la modifier jusqu'à la clôture."
    return await _wallet_change(request, db, person, round_id, save, done, typed=typed)


@post("/rounds/{round_id:int}/registration", name="rounds:register")
async def register(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
) -> Template | Redirect:
    person = require_user(user)

    async def join() -> None:
        await services.register(db, actor=person, round_id=round_id)

    done = "Inscription enregistrée : votre portefeuille sera rempli à l'ouverture."
    return await _wallet_change(request, db, person, round_id, join, done)


@post("/rounds/{round_id:int}/registration/delete", name="rounds:unregister")
async def unregister(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
) -> Redirect:
    await services.unregister(db, actor=require_user(user), round_id=round_id)
    flash(request, "Vous ne participez plus à ce co-budget.")
    return Redirect(f"/rounds/{round_id}", status_code=303)


_DELEGATION_LABELS = {"delegate_id": "Personne de confiance", "percent": "Part confiée (1 à 100 %)"}


@post("/rounds/{round_id:int}/delegation", name="rounds:delegate")
async def delegate(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    """Hand a percentage of one's wallet to another participant; a cycle or an overspending is refused."""
    person = require_user(user)
    form = Form(data)

    async def hand_over() -> None:
        delegate_id = form.integer("delegate_id", _DELEGATION_LABELS["delegate_id"])
        percent = form.integer("percent", _DELEGATION_LABELS["percent"])
        if delegate_id is None or percent is None:
            raise InvalidInput("Choisissez à qui confier une part de votre portefeuille, et laquelle.")
        choice = convert({"delegate_id": delegate_id, "percent": percent}, DelegationIn, _DELEGATION_LABELS)
        await services.delegate(db, actor=person, round_id=round_id, data=choice)

    return await _wallet_change(request, db, person, round_id, hand_over, "Délégation enregistrée.")


@post("/rounds/{round_id:int}/delegation/delete", name="rounds:undelegate")
async def undelegate(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
) -> Template | Redirect:
    person = require_user(user)

    async def take_back() -> None:
        await services.withdraw_delegation(db, actor=person, round_id=round_id)

    done = "Délégation reprise : votre portefeuille vous revient en entier."
    return await _wallet_change(request, db, person, round_id, take_back, done)


PAGES = [
    list_rounds,
    new_round,
    create_round,
    round_detail,
    vote,
    close_round,
    round_result,
    wallet,
    spend,
    register,
    unregister,
    delegate,
    undelegate,
]
