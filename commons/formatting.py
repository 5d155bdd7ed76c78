"""How amounts read in French: ``12 000,50 €``, ``2 h 30``."""

from __future__ import annotations

NBSP = "\u202f"  # narrow no-break space, the French thousands separator


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    return f"{sign}{grouped} €" if rest == 0 else f"{sign}{grouped},{rest:02d} €"


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest:02d}"
    return f"{hours} h" if hours else f"{rest} min"


def format_amount(kind: str, amount: int) -> str:
    """An amount in its resource's unit: cents, minutes or people."""
    if kind == "money":
        return format_cents(amount)
    if kind == "time":
        return format_minutes(amount)
    return f"{amount} personne{'s' if amount > 1 else ''}"
