"""The ledger's tables: accounts, transfers and their entries (see ``commons.ledger.rules``).

Entries and transfers are written once and never changed: the ORM refuses to update or delete them
(see the listeners at the end), and a correction is a new transfer that reverses the old one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import Base, UTCDateTime, str_enum, utcnow
from commons.ledger.rules import UNIT_MAX_LENGTH, AccountKind

KEY_MAX_LENGTH = 200


class LedgerAccount(Base):
    """One account: an owner (kind and owner id) in one unit. Its balance is the sum of its entries."""

    __tablename__ = "ledger_account"
    __table_args__ = (UniqueConstraint("kind", "owner_id", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, 20))
    # The id of the row the kind names (challenge, organization, user or project): not a foreign key,
    # since it points to a different table per kind.
    owner_id: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(UNIT_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Transfer(Base):
    """One business operation moving value between accounts; its entries sum to zero in each unit.

    ``key`` makes recording idempotent: the same operation recorded twice (a retried request, an
    event processed twice) has one effect. ``reverses_id`` points to the transfer this one cancels;
    a transfer is reversed at most once (a reversal may itself be reversed, by a new transfer).
    """

    __tablename__ = "ledger_transfer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[Entry]] = relationship(lazy="selectin", order_by="Entry.id", back_populates="transfer")


class Entry(Base):
    """One leg of a transfer: a signed amount (cents or minutes) on one account, in its unit."""

    __tablename__ = "ledger_entry"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfer.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    # Copied from the account, so every sum per unit is one query; check_ledger verifies they agree.
    unit: Mapped[str] = mapped_column(String(UNIT_MAX_LENGTH))

    transfer: Mapped[Transfer] = relationship(back_populates="entries")
    account: Mapped[LedgerAccount] = relationship(lazy="joined")


def _refuse_change(_mapper: Any, _connection: Any, target: Transfer | Entry) -> None:
    raise TypeError(
        f"{type(target).__name__} {target.id} is immutable: record a reversing transfer instead of changing it."
    )


for _model in (Transfer, Entry):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
