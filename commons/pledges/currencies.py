"""Local currencies money may be pledged in, besides the euro: configuration, not code.

A local currency (Eusko, Gonette...) is pegged 1:1 to the euro, so a need's progress counts a unit
of it as one euro; the ledger still keeps it in its own unit, so each currency reconciles on its own.
``COMMONS_LOCAL_CURRENCIES`` lists them as ``CODE:Label`` pairs separated by commas, e.g.
``EUSKO:Eusko,GONETTE:Gonette``; none by default (euros only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from litestar.datastructures import State

from commons.errors import InvalidInput
from commons.formatting import format_cents
from commons.ledger.rules import EUR, MINUTES, validate_unit

LOCAL_CURRENCIES_ENV = "COMMONS_LOCAL_CURRENCIES"


@dataclass(frozen=True, slots=True)
class LocalCurrency:
    """A configured local currency: its ledger unit code (``EUSKO``) and the name people read (``Eusko``)."""

    code: str
    label: str


def parse_local_currencies(text: str) -> tuple[LocalCurrency, ...]:
    """``"EUSKO:Eusko,GONETTE:Gonette"`` → the two currencies, in that order.

    A code must be one the ledger accepts as a unit (see ``commons.ledger.rules.validate_unit``) and
    neither ``EUR`` nor ``MIN``; a label is required. A bad entry raises ``ValueError`` naming the variable.
    """
    currencies: list[LocalCurrency] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, _, label = (piece.strip() for piece in item.partition(":"))
        if not label or code in (EUR, MINUTES) or any(c.code == code for c in currencies):
            raise ValueError(
                f"{LOCAL_CURRENCIES_ENV}: expected distinct CODE:Label pairs, e.g. EUSKO:Eusko, not {item!r}"
            )
        try:
            validate_unit(code, {code})
        except InvalidInput:
            raise ValueError(
                f"{LOCAL_CURRENCIES_ENV}: {code!r} is not a currency code (2 to 10 capital letters or digits, "
                "starting with a letter)"
            ) from None
        currencies.append(LocalCurrency(code=code, label=label))
    return tuple(currencies)


def local_currencies_from_env(environ: Mapping[str, str]) -> tuple[LocalCurrency, ...]:
    """The configured local currencies (none when the variable is unset or blank)."""
    return parse_local_currencies(environ.get(LOCAL_CURRENCIES_ENV, ""))


def check_currency(code: str, local_currencies: Sequence[LocalCurrency]) -> str:
    """Return ``code`` if money may be pledged in it (EUR or a configured currency), else refuse it.

    The refusal names the currencies that are accepted, so the person can correct the request.
    """
    if code == EUR or any(c.code == code for c in local_currencies):
        return code
    accepted = ", ".join([EUR, *(f"{c.code} ({c.label})" for c in local_currencies)])
    raise InvalidInput(f"Monnaie « {code} » non acceptée ici : les monnaies possibles sont {accepted}.")


def format_money(cents: int, currency: str) -> str:
    """An amount in its currency as people read it: ``120,50 €``, or ``120,50 EUSKO`` for a local one."""
    euros = format_cents(cents)
    return euros if currency == EUR else f"{euros.removesuffix('€')}{currency}"


def configured_currencies(state: State) -> tuple[LocalCurrency, ...]:
    """The local currencies of the running application's settings (``COMMONS_LOCAL_CURRENCIES``)."""
    currencies: tuple[LocalCurrency, ...] = state.settings.local_currencies
    return currencies
