"""Who pays what: splitting a call's grants among its funders, as a maximum flow. Pure, no I/O.

A call's pool is made of several funders' contributions, each with eligibility rules and caps per
project. Given what each funder can still pay and the grants to pay, in priority order, the split
decides how many cents each funder pays to each grant:

- a funder never pays a project it does not accept (organization kind of the project's lead,
  themes), nor beyond its caps for that project (a share of the project's budget and an absolute
  amount, counting what it already paid the project), nor more than it has left;
- an **all-or-nothing** grant (approval winners, seed funding) is paid entirely or not at all: it is
  accepted when it can be covered together with every grant accepted before it, else refused and the
  next grant is tried;
- a **divisible** grant (matching, wallets) gets as much as can be covered given the grants before it.

The model is a flow network (Ford & Fulkerson, "Maximal flow through a network", 1956): source →
funder (capacity: what the funder has left) → funder-and-project pair (capacity: the funder's room
for the project under its caps) → grant (unbounded) → sink (capacity: the grant's amount). A
covering of a set of grants exists exactly when the maximum flow saturates their sink edges.
Grants are added one at a time and the flow is augmented with Edmonds–Karp (Edmonds & Karp, JACM
1972: shortest augmenting paths by breadth-first search, O(V·E²) whatever the amounts). An augmenting
path ends at the sink the first time it reaches it, so it never takes back flow from an accepted
grant: grants accepted earlier stay covered, while augmenting paths may re-route *which* funder
pays them, which is what makes the greedy order find a covering whenever one exists. An
all-or-nothing grant the flow cannot saturate is undone (the flow before it is restored).

Tie-breaking, for determinism: funders are taken in ascending id order and grants in the order
given; the breadth-first search visits edges in that insertion order, so among equal splits the
funders with the smallest ids pay first. The same inputs always give the same split.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from commons.formatting import format_cents


@dataclass(frozen=True, slots=True)
class ProjectTerms:
    """What the funders' rules look at in a project.

    Parameters:
        project_id: the project.
        budget_cents: the project's budget: the sum of its money needs' maximum amounts.
        kinds: the organization kinds of the project's lead (see ``commons.funders.services``).
        themes: the project's themes (its call's themes).
    """

    project_id: int
    budget_cents: int
    kinds: frozenset[str]
    themes: frozenset[str]


@dataclass(frozen=True, slots=True)
class FunderTerms:
    """A funder as the split sees it.

    Parameters:
        funder_id: the funder (its row id); the tie-break order.
        available_cents: what it can still pay: its contribution received in the pool, minus what it paid.
        kinds: the organization kinds of project leads it funds; empty = every kind.
        themes: the themes it funds (a project qualifies with one theme in common); empty = every theme.
        max_share_percent: at most this percentage of a project's budget (rounded down to the cent); None = no cap.
        max_cents: at most this amount per project; None = no cap.
        paid: what it already paid each project, by project id (counted against its caps).
    """

    funder_id: int
    available_cents: int
    kinds: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    max_share_percent: int | None = None
    max_cents: int | None = None
    paid: Mapping[int, int] = field(default_factory=dict)

    def accepts(self, project: ProjectTerms) -> bool:
        """Whether its rules let it fund this project at all."""
        kinds_ok = not self.kinds or bool(self.kinds & project.kinds)
        themes_ok = not self.themes or bool(self.themes & project.themes)
        return kinds_ok and themes_ok

    def cap(self, project: ProjectTerms) -> int:
        """The most it may ever pay this project under its caps (0 when it does not accept it)."""
        if not self.accepts(project):
            return 0
        limits = [_UNBOUNDED]
        if self.max_share_percent is not None:
            limits.append(project.budget_cents * self.max_share_percent // 100)
        if self.max_cents is not None:
            limits.append(self.max_cents)
        return min(limits)

    def room(self, project: ProjectTerms) -> int:
        """What it may still pay this project: its cap minus what it already paid it."""
        return max(0, self.cap(project) - self.paid.get(project.project_id, 0))


@dataclass(frozen=True, slots=True)
class GrantAsk:
    """A grant to pay: ``cents`` to a project, all or nothing unless ``divisible``."""

    project_id: int
    cents: int
    divisible: bool


@dataclass(frozen=True, slots=True)
class GrantSplit:
    """What a grant received, and from whom; ``reason`` (French) says why it got less than asked."""

    ask: GrantAsk
    by_funder: Mapping[int, int]
    reason: str

    @property
    def paid_cents(self) -> int:
        return sum(self.by_funder.values())


# More than any amount the platform handles (schemas cap amounts at 10 million euros).
_UNBOUNDED = 1 << 62


class _Network:
    """A flow network on integer capacities, with residual edges, augmented by Edmonds–Karp."""

    def __init__(self) -> None:
        self.heads: list[int] = []  # edge -> node it points to (edge ^ 1 is its reverse)
        self.capacity: list[int] = []  # edge -> residual capacity
        self.adjacent: list[list[int]] = []  # node -> its edges, in insertion order

    def node(self) -> int:
        self.adjacent.append([])
        return len(self.adjacent) - 1

    def edge(self, tail: int, head: int, capacity: int) -> int:
        """Add an edge and its reverse; return the forward edge's index."""
        for start, end, room in ((tail, head, capacity), (head, tail, 0)):
            self.adjacent[start].append(len(self.heads))
            self.heads.append(end)
            self.capacity.append(room)
        return len(self.heads) - 2

    def flow(self, edge: int) -> int:
        """The flow on a forward edge: what its reverse edge can send back."""
        return self.capacity[edge ^ 1]

    def augment(self, source: int, sink: int) -> int:
        """Push flow along shortest augmenting paths until none is left; return how much was pushed."""
        pushed = 0
        while True:
            through: list[int | None] = [None] * len(self.adjacent)
            seen = [False] * len(self.adjacent)
            seen[source] = True
            queue = deque([source])
            while queue and not seen[sink]:
                node = queue.popleft()
                for edge in self.adjacent[node]:
                    head = self.heads[edge]
                    if not seen[head] and self.capacity[edge] > 0:
                        seen[head] = True
                        through[head] = edge
                        queue.append(head)
            if not seen[sink]:
                return pushed
            path: list[int] = []
            node = sink
            while node != source:
                edge_in = through[node]
                assert edge_in is not None
                path.append(edge_in)
                node = self.heads[edge_in ^ 1]
            amount = min(self.capacity[edge] for edge in path)
            for edge in path:
                self.capacity[edge] -= amount
                self.capacity[edge ^ 1] += amount
            pushed += amount


def split_grants(
    funders: Collection[FunderTerms], projects: Collection[ProjectTerms], grants: Sequence[GrantAsk]
) -> list[GrantSplit]:
    """Decide how much each funder pays each grant, in the grants' order (see the module docstring).

    Parameters:
        funders: the call's funders, with what they can still pay.
        projects: the terms of every project a grant names.
        grants: the grants, in priority order; amounts are non-negative cents.

    Returns one ``GrantSplit`` per grant, in the same order. Raises ``ValueError`` on a negative
    amount or a grant naming a project missing from ``projects``.
    """
    terms = {project.project_id: project for project in projects}
    ordered = sorted(funders, key=lambda funder: funder.funder_id)
    for funder in ordered:
        if funder.available_cents < 0:
            raise ValueError(f"funder {funder.funder_id} has a negative amount available")
    for grant in grants:
        if grant.cents < 0:
            raise ValueError(f"grant to project {grant.project_id} asks a negative amount")
        if grant.project_id not in terms:
            raise ValueError(f"grant to project {grant.project_id}, whose terms are not given")

    network = _Network()
    source, sink = network.node(), network.node()
    funder_nodes = {funder.funder_id: network.node() for funder in ordered}
    for funder in ordered:
        network.edge(source, funder_nodes[funder.funder_id], funder.available_cents)
    pair_nodes: dict[tuple[int, int], int] = {}  # (funder id, project id) -> node

    def pairs_of(project: ProjectTerms) -> list[tuple[int, int]]:
        """The (funder id, pair node) of the funders accepting the project, created on first use."""
        found: list[tuple[int, int]] = []
        for funder in ordered:
            key = (funder.funder_id, project.project_id)
            if key not in pair_nodes:
                room = funder.room(project)
                if room <= 0:
                    continue
                pair_nodes[key] = network.node()
                network.edge(funder_nodes[funder.funder_id], pair_nodes[key], room)
            found.append((funder.funder_id, pair_nodes[key]))
        return found

    placed: list[tuple[GrantAsk, list[tuple[int, int]]]] = []  # each grant with its (funder id, edge) inflows
    reasons: list[str] = []
    for grant in grants:
        project = terms[grant.project_id]
        grant_node = network.node()
        inflows = [(funder_id, network.edge(pair, grant_node, _UNBOUNDED)) for funder_id, pair in pairs_of(project)]
        to_sink = network.edge(grant_node, sink, grant.cents)
        saved = list(network.capacity)
        network.augment(source, sink)
        got = network.flow(to_sink)
        if got < grant.cents and not grant.divisible:
            network.capacity = saved
            network.capacity[to_sink] = 0  # refused: later grants cannot route through it
            got = 0
        placed.append((grant, inflows))
        reasons.append(_reason(grant, got, ordered, project))
    return [
        GrantSplit(
            ask=grant,
            by_funder={funder_id: network.flow(edge) for funder_id, edge in inflows if network.flow(edge) > 0},
            reason=reason,
        )
        for (grant, inflows), reason in zip(placed, reasons, strict=True)
    ]


def _reason(grant: GrantAsk, got: int, funders: Sequence[FunderTerms], project: ProjectTerms) -> str:
    """Why a grant got less than it asked, in French (empty when it got all of it)."""
    if got >= grant.cents:
        return ""
    accepting = [funder for funder in funders if funder.accepts(project)]
    if not accepting:
        return "Aucun financeur de l'appel ne finance ce projet (règles d'éligibilité des financeurs)."
    room = sum(funder.room(project) for funder in accepting)
    if room < grant.cents:
        why = f"Les plafonds des financeurs qui acceptent ce projet ne laissent que {format_cents(room)} pour lui"
    else:
        why = "L'argent reçu dans la cagnotte et encore disponible pour ce projet ne suffit pas"
    if grant.divisible:
        return f"{why} : versé {format_cents(got)} sur {format_cents(grant.cents)} demandés."
    return f"{why} : {format_cents(grant.cents)} demandés, tout ou rien, donc rien n'est versé."
