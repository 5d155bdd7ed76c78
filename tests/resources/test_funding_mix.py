"""The funding mix: four tiers from the standing pledges, exact shares, the quarter target."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commons.pledges.models import PledgeStatus
from commons.projects.models import ResourceKind
from commons.resources.chart import format_share, funding_mix_chart
from commons.resources.funding_mix import QUARTER, Contribution, FundingMix, Tier, funding_mix
from commons.resources.valuation import DEFAULT_VALUATION, UNSKILLED, ValuationTable

MONEY, TIME, SKILL = ResourceKind.MONEY, ResourceKind.TIME, ResourceKind.SKILL
PROMISED, CONFIRMED, WITHDRAWN = PledgeStatus.PROMISED, PledgeStatus.CONFIRMED, PledgeStatus.WITHDRAWN


def _cents(mix: FundingMix) -> dict[Tier, int]:
    return {t.tier: t.cents for t in mix.tiers}


def test_each_pledge_goes_to_its_tier() -> None:
    mix = funding_mix(
        [
            Contribution(MONEY, CONFIRMED, 30_000, public=True),
            Contribution(MONEY, PROMISED, 10_000),
            Contribution(TIME, PROMISED, 120, skill="juridique"),  # 2 h × 12,02 € × 3
            Contribution(TIME, CONFIRMED, 90),  # 1 h 30 × 12,02 € × 1
        ],
        DEFAULT_VALUATION,
        own_revenue_cents=5_000,
    )
    assert _cents(mix) == {
        Tier.PUBLIC: 30_000,
        Tier.PRIVATE: 10_000,
        Tier.OWN_REVENUE: 5_000,
        Tier.VOLUNTEERING: 7_212 + 1_803,
    }
    assert [t.tier for t in mix.tiers] == list(Tier)
    assert mix.total_cents == 54_015 and mix.volunteer_minutes == 210
    assert mix.tier(Tier.PUBLIC).share == Fraction(30_000, 54_015)
    assert {t.tier: t.confirmed_cents for t in mix.tiers} == {
        Tier.PUBLIC: 30_000,
        Tier.PRIVATE: 0,
        Tier.OWN_REVENUE: 5_000,
        Tier.VOLUNTEERING: 1_803,
    }


def test_withdrawn_pledges_and_skill_pledges_are_not_counted() -> None:
    mix = funding_mix(
        [
            Contribution(MONEY, WITHDRAWN, 99_999, public=True),
            Contribution(TIME, WITHDRAWN, 600),
            Contribution(SKILL, CONFIRMED, 1, skill="juridique"),
            Contribution(MONEY, PROMISED, 1_000),
        ],
        DEFAULT_VALUATION,
    )
    assert _cents(mix) == {Tier.PUBLIC: 0, Tier.PRIVATE: 1_000, Tier.OWN_REVENUE: 0, Tier.VOLUNTEERING: 0}
    assert mix.volunteer_minutes == 0
    assert mix.tier(Tier.PRIVATE).share == 1


def test_an_empty_project_has_an_empty_mix() -> None:
    mix = funding_mix([], DEFAULT_VALUATION)
    assert mix.is_empty and mix.total_cents == 0
    assert all(t.cents == t.share == t.target_cents == t.gap_cents == 0 for t in mix.tiers)
    assert all(t.gap == -QUARTER for t in mix.tiers)


def test_volunteering_is_rounded_once_for_the_tier_not_per_pledge() -> None:
    table = ValuationTable(hourly_wage_cents=90, levels={UNSKILLED: Fraction(1)}, default_level=UNSKILLED)
    # Three minutes at 1,5 cent each: 4,5 → 5 cents (rounding each pledge would give 6).
    mix = funding_mix([Contribution(TIME, PROMISED, 1)] * 3, table)
    assert mix.tier(Tier.VOLUNTEERING).cents == 5


def test_the_target_is_a_quarter_each_and_the_gap_is_signed() -> None:
    mix = funding_mix([Contribution(MONEY, PROMISED, 10, public=True)], DEFAULT_VALUATION)
    assert [t.target_cents for t in mix.tiers] == [3, 3, 2, 2]  # sums to the total exactly
    assert [t.gap_cents for t in mix.tiers] == [7, -3, -2, -2]
    assert mix.tier(Tier.PUBLIC).gap == Fraction(3, 4) and mix.tier(Tier.PRIVATE).gap == -QUARTER


def test_negative_own_revenue_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        funding_mix([], DEFAULT_VALUATION, own_revenue_cents=-1)


contributions = st.builds(
    Contribution,
    kind=st.sampled_from(list(ResourceKind)),
    status=st.sampled_from(list(PledgeStatus)),
    amount=st.integers(min_value=1, max_value=10**9),
    skill=st.sampled_from(["", "juridique", "comptabilité", "animation"]),
    public=st.booleans(),
)


@given(st.lists(contributions, max_size=30), st.integers(min_value=0, max_value=10**9))
def test_shares_sum_to_exactly_one_and_targets_to_the_total(lines: list[Contribution], own_revenue: int) -> None:
    mix = funding_mix(lines, DEFAULT_VALUATION, own_revenue_cents=own_revenue)
    assert sum(t.cents for t in mix.tiers) == mix.total_cents
    assert sum(t.target_cents for t in mix.tiers) == mix.total_cents
    assert all(0 <= t.confirmed_cents <= t.cents for t in mix.tiers)
    assert sum(t.share for t in mix.tiers) == (1 if mix.total_cents else 0)
    chart = funding_mix_chart(mix)
    assert sum(s.width for s in chart.target) == pytest.approx(chart.bar_width, abs=0.5)
    if not mix.is_empty:
        assert sum(s.width for s in chart.real) == pytest.approx(chart.bar_width, abs=0.5)


def test_shares_read_as_french_percentages_to_a_tenth() -> None:
    assert format_share(QUARTER) == "25\u202f%"
    assert format_share(Fraction(1, 3)) == "33,3\u202f%"
    assert format_share(Fraction(2, 3)) == "66,7\u202f%"
    assert format_share(Fraction(1, 2000)) == "0,1\u202f%"  # half a tenth, rounded up
    assert format_share(Fraction(1)) == "100\u202f%"
