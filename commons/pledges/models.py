"""A contributor's commitment against one need of a project."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import Organization, User
from commons.db import Base, UTCDateTime, str_enum, utcnow
from commons.formatting import format_amount
from commons.ledger.rules import EUR
from commons.pledges.currencies import format_money
from commons.projects.models import Need, ResourceKind


class PledgeStatus(enum.StrEnum):
    """promised → confirmed (money received, hours done, skill given); withdrawn while promised;
    released when the project's all-or-nothing deadline passes short of its minimum, or it is cancelled."""

    PROMISED = "promised"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    RELEASED = "released"


# The pledges that count in a need's progress.
STANDING = (PledgeStatus.PROMISED, PledgeStatus.CONFIRMED)


class Pledge(Base):
    __tablename__ = "pledge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The organization the contributor pledges for (one they administer); None: in their own name.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind, 10))
    # In the need's unit: cents (money), minutes (time), 1 person (skill).
    amount: Mapped[int] = mapped_column(BigInteger)
    # Money only: EUR or a configured local currency (pegged 1:1 to the euro, so it counts as euros
    # in a need's progress, while the ledger keeps it in its own unit). EUR for time and skills.
    currency: Mapped[str] = mapped_column(String(10), default=EUR, server_default=EUR)
    skill: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus, 10),
        default=PledgeStatus.PROMISED,
    )
    # The contributor agreed to be named on the public transparency pages (anonymous otherwise).
    public_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who confirmed it (a lead of the project, or an admin of its call): never its contributor, so a
    # promise counts as kept only on someone else's word. None on pledges confirmed before it was kept.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contributor: Mapped[User] = relationship(lazy="joined", foreign_keys=[contributor_id])
    need: Mapped[Need] = relationship(lazy="joined")
    on_behalf_of: Mapped[Organization | None] = relationship(lazy="joined")

    @property
    def given(self) -> str:
        """What the pledge gives, as pages show it: an amount with its currency, hours, or the skill."""
        if self.kind == ResourceKind.MONEY:
            return format_money(self.amount, self.currency)
        if self.kind == ResourceKind.TIME:
            return format_amount(self.kind.value, self.amount)
        return self.skill or "compétence"
