"""The funding mix drawn as two stacked bars, the real mix above the quatre tiers target.

The geometry is computed here, in SVG user units, so the template only places rectangles; the
chart is server-rendered, with no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from commons.resources.funding_mix import FundingMix, Tier
from commons.resources.valuation import round_half_up


def format_share(share: Fraction) -> str:
    """A share as a French percentage, to a tenth, half up: ``Fraction(1, 3)`` → ``33,3 %``."""
    tenths = round_half_up(share * 1000)
    whole, tenth = divmod(tenths, 10)
    return f"{whole}\u202f%" if tenth == 0 else f"{whole},{tenth}\u202f%"


# The narrowest segment, in SVG units, that can hold its percentage ("33,3 %").
MIN_CAPTIONED_WIDTH = 48


@dataclass(frozen=True, slots=True)
class Segment:
    """One tier's part of a bar; ``captioned`` when its percentage fits inside it."""

    tier: Tier
    label: str
    share: Fraction
    x: float
    width: float
    captioned: bool


@dataclass(frozen=True, slots=True)
class MixChart:
    """Two bars (the real mix, then the target), each made of the four tiers' segments."""

    width: int
    height: int
    label_width: int
    bar_width: int
    row_height: int
    real: tuple[Segment, ...]
    target: tuple[Segment, ...]


def _segments(shares: list[tuple[Tier, str, Fraction]], left: int, bar_width: int) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    start = Fraction(0)
    for tier, label, share in shares:
        width = float(share * bar_width)
        x = round(left + float(start * bar_width), 1)
        segments.append(Segment(tier, label, share, x, round(width, 1), captioned=width >= MIN_CAPTIONED_WIDTH))
        start += share
    return tuple(segments)


def funding_mix_chart(mix: FundingMix, *, width: int = 760, label_width: int = 170, row_height: int = 44) -> MixChart:
    """The chart's geometry: segments proportional to the tiers' shares, on a bar of fixed width."""
    bar_width = width - label_width - 10
    return MixChart(
        width=width,
        height=2 * row_height + 34,
        label_width=label_width,
        bar_width=bar_width,
        row_height=row_height,
        real=_segments([(t.tier, t.label, t.share) for t in mix.tiers], label_width, bar_width),
        target=_segments([(t.tier, t.label, t.target_share) for t in mix.tiers], label_width, bar_width),
    )
