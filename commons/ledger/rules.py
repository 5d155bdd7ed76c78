"""The pure rules of the ledger: account kinds, units, the sign convention and the floors. No I/O.

Sign convention
---------------
An account's **balance** is the plain sum of its entries. A transfer moving ``x`` from account A to
account B has two legs, ``(A, -x)`` and ``(B, +x)``; the legs of a transfer sum to zero in each unit.

Accounts come in two orientations:

- **holding** accounts keep value inside the platform; their balance is what they hold:
  ``challenge_pool`` (a call's pooled budget), ``project`` (money or time a project received and has
  not spent), ``project_spent`` (what a project spent, a sink) and ``release`` (money or time given
  back, e.g. released pledges or a pool's leftover, waiting to flow back to its source);
- **source** accounts are outside parties value comes from; their balance is minus what they put in
  (net): ``funder`` (an organization funding a pool) and ``contributor`` (a person pledging money or
  time).

The **held** amount of an account is its balance for a holding account and minus its balance for a
source account. Floors, per kind, in the held sense:

=================  ==========  ========================================================
kind               held        floor (what a transfer may never break)
=================  ==========  ========================================================
``challenge_pool`` balance     ≥ 0: a pool cannot give more than it received
``project``        balance     ≥ 0: a project cannot spend or give back more than it has
``project_spent``  balance     ≥ 0: spending is only undone up to what was spent
``release``        balance     ≥ 0: released value is only paid back once
``funder``         −balance    ≥ 0: a funder never gets back more than it put in
``contributor``    −balance    ≥ 0: a contributor never gets back more than it gave
=================  ==========  ========================================================

Units
-----
``EUR`` in cents, configured **local currencies** (e.g. ``EUSKO``) pegged 1:1 to the euro, also in
cents, and ``MIN``, minutes of time. An account has one unit; an entry is always in its account's
unit; units are never mixed in a sum (pegged currencies stay apart, so each one reconciles on its own).
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from commons.errors import InvalidInput

EUR = "EUR"
MINUTES = "MIN"
UNIT_MAX_LENGTH = 10
_LOCAL_CURRENCY_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")


class AccountKind(enum.StrEnum):
    """What an account stands for; its owner id points to the row named in the comment."""

    CHALLENGE_POOL = "challenge_pool"  # owner: the challenge
    FUNDER = "funder"  # owner: the funding organization
    CONTRIBUTOR = "contributor"  # owner: the contributing user
    PROJECT = "project"  # owner: the project
    PROJECT_SPENT = "project_spent"  # owner: the project
    RELEASE = "release"  # owner: the challenge (or project) whose value is released

    @property
    def is_source(self) -> bool:
        """Source accounts (outside parties) hold minus their balance; see the module docstring."""
        return self in (AccountKind.FUNDER, AccountKind.CONTRIBUTOR)

    @property
    def label(self) -> str:
        """The French name shown in messages."""
        return _LABELS[self]


_LABELS = {
    AccountKind.CHALLENGE_POOL: "cagnotte de l'appel",
    AccountKind.FUNDER: "financeur",
    AccountKind.CONTRIBUTOR: "contributeur",
    AccountKind.PROJECT: "projet",
    AccountKind.PROJECT_SPENT: "dépenses du projet",
    AccountKind.RELEASE: "fonds libérés",
}


def held(kind: AccountKind, balance: int) -> int:
    """The amount an account holds in its own sense: its balance, or minus it for a source account."""
    return -balance if kind.is_source else balance


def breaks_floor(kind: AccountKind, balance: int) -> bool:
    """Whether a balance is below what the kind allows (every kind's floor is 0 in the held sense)."""
    return held(kind, balance) < 0


def validate_unit(unit: str, local_currencies: Collection[str] = ()) -> str:
    """Return ``unit`` if the ledger may keep accounts in it, else refuse it.

    Parameters:
      unit: ``EUR``, ``MIN`` or one of ``local_currencies``.
      local_currencies: the configured local currency codes (uppercase, e.g. ``EUSKO``), each pegged
        1:1 to the euro; the list is configuration, so it is passed in rather than known here.
    """
    if unit in (EUR, MINUTES):
        return unit
    if unit in local_currencies and _LOCAL_CURRENCY_CODE.fullmatch(unit):
        return unit
    allowed = ", ".join([EUR, MINUTES, *sorted(local_currencies)])
    raise InvalidInput(f"Unité « {unit} » inconnue du grand livre (unités possibles : {allowed}).")


def format_amount(amount: int, unit: str) -> str:
    """An amount in its unit for a person: ``1 234,50 EUR`` for cents, ``2 h 05 min`` for minutes."""
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    if unit == MINUTES:
        hours, minutes = divmod(magnitude, 60)
        return f"{sign}{hours} h {minutes:02d} min" if hours else f"{sign}{minutes} min"
    units, cents = divmod(magnitude, 100)
    return f"{sign}{units:,}".replace(",", "\u202f") + f",{cents:02d} {unit}"


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """One leg of a transfer about to be recorded, as plain data.

    Parameters:
      account_id: the account's id.
      kind: the account's kind, which sets its floor.
      unit: the account's unit (a leg is always in its account's unit).
      amount: signed, in the unit's smallest unit (cents or minutes); positive credits the account.
    """

    account_id: int
    kind: AccountKind
    unit: str
    amount: int


def validate_legs(legs: Sequence[PlannedLeg], balances: Mapping[int, int]) -> dict[int, int]:
    """Check a transfer against every rule of the ledger; return the touched accounts' new balances.

    The one place the rules of a transfer live, so the database service and the property-based tests
    apply exactly the same ones. Refuses (``InvalidInput``, nothing changed) a transfer that:
    has fewer than two legs, has a leg of amount zero or not an integer, names an account twice, does
    not sum to zero in each unit, or would leave an account below its kind's floor.

    Parameters:
      legs: the transfer's legs.
      balances: the current balance of (at least) every account the legs touch; a missing account
        has balance 0.
    """
    if len(legs) < 2:
        raise InvalidInput("Un mouvement du grand livre doit avoir au moins deux écritures.")
    seen: set[int] = set()
    totals: defaultdict[str, int] = defaultdict(int)
    for leg in legs:
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount == 0:
            raise InvalidInput(f"Montant d'écriture invalide : {leg.amount!r} (un entier non nul est attendu).")
        if leg.account_id in seen:
            raise InvalidInput(f"Le compte n°{leg.account_id} apparaît deux fois dans le même mouvement.")
        seen.add(leg.account_id)
        totals[leg.unit] += leg.amount
    for unit, total in sorted(totals.items()):
        if total != 0:
            raise InvalidInput(
                f"Mouvement déséquilibré en {unit} : ses écritures totalisent {format_amount(total, unit)} "
                "au lieu de zéro."
            )
    after: dict[int, int] = {}
    for leg in legs:
        after[leg.account_id] = balances.get(leg.account_id, 0) + leg.amount
        if breaks_floor(leg.kind, after[leg.account_id]):
            shortfall = format_amount(-held(leg.kind, after[leg.account_id]), leg.unit)
            raise InvalidInput(
                f"Le compte {leg.kind.label} n°{leg.account_id} ({leg.unit}) n'a pas assez : il manque {shortfall}."
            )
    return after
