"""The funding mix of a project or a call, beside the "règle des quatre tiers".

The seed document on hybrid funding (Territoires Conseils webconference, "Un besoin d'hybridation
des ressources autour de la règle des 4 tiers") names four sources a healthy project draws on:
public funding, private funding, services it sells, and valued volunteering. It writes "1/3" for
each, which cannot hold for four sources; we read it, as DESIGN.md §1 does, as a balance between
the four and show a target of a quarter each beside the real mix.

Pure: plain data in, exact amounts out, no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from commons.pledges.models import STANDING, PledgeStatus
from commons.projects.models import ResourceKind
from commons.resources.valuation import ValuationTable, round_half_up


class Tier(enum.StrEnum):
    """The four sources of the règle des quatre tiers, in the order they are shown."""

    PUBLIC = "public"  # collectivités' money: their pools' payouts and pledges made on their behalf
    PRIVATE = "private"  # companies, foundations, associations, citizens
    OWN_REVENUE = "own_revenue"  # services the project sells, declared by its lead
    VOLUNTEERING = "volunteering"  # volunteer time, valued with the valuation table


TIER_LABELS: dict[Tier, str] = {
    Tier.PUBLIC: "Financement public",
    Tier.PRIVATE: "Financement privé",
    Tier.OWN_REVENUE: "Prestations de service",
    Tier.VOLUNTEERING: "Bénévolat valorisé",
}

# The target share of each tier: the four in balance.
QUARTER = Fraction(1, 4)


@dataclass(frozen=True, slots=True)
class Contribution:
    """A pledge or a payout from a call's pool, or lines alike summed into one, as the funding mix needs it.

    Parameters:
        kind: money (``amount`` in cents), time (minutes) or skill (people, not valued).
        status: the pledges' status; only standing ones count.
        amount: in the kind's unit.
        skill: for time, the skill it brings (the pledge's, else its need's), which sets its coefficient.
        public: for money, whether it comes from a collectivité (a pledge on its behalf, a payout it funded).
    """

    kind: ResourceKind
    status: PledgeStatus
    amount: int
    skill: str = ""
    public: bool = False


@dataclass(frozen=True, slots=True)
class TierAmount:
    """One tier of the mix: its amount, its share of the total, and how far it is from a quarter.

    ``confirmed_cents`` is the part of ``cents`` already confirmed (money received, hours done);
    declared own revenue counts as confirmed. ``target_cents`` is this tier's quarter of the total
    (the four targets sum to the total exactly), ``gap_cents`` is ``cents - target_cents``
    (negative: below the target).
    """

    tier: Tier
    cents: int
    confirmed_cents: int
    share: Fraction
    target_cents: int

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def target_share(self) -> Fraction:
        return QUARTER

    @property
    def gap_cents(self) -> int:
        return self.cents - self.target_cents

    @property
    def gap(self) -> Fraction:
        """The share minus the target share (negative: below the quarter)."""
        return self.share - QUARTER


@dataclass(frozen=True, slots=True)
class FundingMix:
    """The four tiers, in ``Tier`` order; shares are exact and sum to 1 when the total is positive."""

    tiers: tuple[TierAmount, ...]
    total_cents: int
    volunteer_minutes: int

    @property
    def is_empty(self) -> bool:
        return self.total_cents == 0

    def tier(self, tier: Tier) -> TierAmount:
        return next(t for t in self.tiers if t.tier == tier)


def _quarters(total: int) -> list[int]:
    """``total`` split in four whole cents summing to it exactly; the remainder goes to the first tiers."""
    base, remainder = divmod(total, 4)
    return [base + (1 if i < remainder else 0) for i in range(4)]


def funding_mix(
    contributions: Iterable[Contribution], valuation: ValuationTable, *, own_revenue_cents: int = 0
) -> FundingMix:
    """The funding mix of a project or a call from its pledges and payouts, beside the quatre tiers target.

    Which lines count: the standing ones, promised and confirmed (``commons.pledges.models.STANDING``,
    the same ones as a need's progress); withdrawn pledges do not; payouts from a call's pool count as
    confirmed. Money is public when it comes from a collectivité, private otherwise. Time pledges are valued with
    ``valuation``: the exact values are summed, then rounded once, half up to the cent, so the tier
    does not drift with the number of pledges. Skill pledges count people, not hours: they are not valued.

    Parameters:
        contributions: the pledges and payouts, one line each or summed by identical fields.
        valuation: the table valuing volunteer time.
        own_revenue_cents: the services the project sells, as declared by its lead.
    """
    if own_revenue_cents < 0:
        raise ValueError(f"own revenue cannot be negative ({own_revenue_cents} cents)")
    # Per tier, the standing amount and its confirmed part; time is summed exactly, rounded below.
    money = {Tier.PUBLIC: (0, 0), Tier.PRIVATE: (0, 0)}
    time_value, time_confirmed = Fraction(0), Fraction(0)
    minutes = 0
    for line in contributions:
        if line.status not in STANDING:
            continue
        confirmed = line.status == PledgeStatus.CONFIRMED
        if line.kind == ResourceKind.MONEY:
            tier = Tier.PUBLIC if line.public else Tier.PRIVATE
            standing, done = money[tier]
            money[tier] = (standing + line.amount, done + (line.amount if confirmed else 0))
        elif line.kind == ResourceKind.TIME:
            value = valuation.exact_value(line.amount, line.skill)
            time_value += value
            time_confirmed += value if confirmed else 0
            minutes += line.amount
    amounts = {
        **money,
        Tier.OWN_REVENUE: (own_revenue_cents, own_revenue_cents),
        Tier.VOLUNTEERING: (round_half_up(time_value), round_half_up(time_confirmed)),
    }
    total = sum(cents for cents, _ in amounts.values())
    tiers = tuple(
        TierAmount(
            tier=tier,
            cents=cents,
            confirmed_cents=confirmed_cents,
            share=Fraction(cents, total) if total else Fraction(0),
            target_cents=target,
        )
        for (tier, (cents, confirmed_cents)), target in zip(amounts.items(), _quarters(total), strict=True)
    )
    return FundingMix(tiers=tiers, total_cents=total, volunteer_minutes=minutes)
