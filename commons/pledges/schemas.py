"""What a pledge looks like at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from commons.schemas import Id, LongText, PositiveCents, PositiveMinutes

SkillName = Annotated[str, Meta(min_length=1, max_length=120)]
# EUR or a configured local currency code (checked against the settings by the use case).
CurrencyCode = Annotated[str, Meta(min_length=1, max_length=10)]


class MoneyPledgeIn(msgspec.Struct, tag_field="kind", tag="money", forbid_unknown_fields=True):
    need_id: Id
    amount_cents: PositiveCents
    currency: CurrencyCode = "EUR"
    note: LongText = ""
    public_name: bool = False
    # An organization the contributor administers, to pledge in its name; None: in their own name.
    on_behalf_of_id: Id | None = None


class TimePledgeIn(msgspec.Struct, tag_field="kind", tag="time", forbid_unknown_fields=True):
    need_id: Id
    minutes: PositiveMinutes
    skill: Annotated[str, Meta(max_length=120)] = ""
    note: LongText = ""
    public_name: bool = False
    on_behalf_of_id: Id | None = None


class SkillPledgeIn(msgspec.Struct, tag_field="kind", tag="skill", forbid_unknown_fields=True):
    need_id: Id
    skill: SkillName | None = None
    note: LongText = ""
    public_name: bool = False
    on_behalf_of_id: Id | None = None


PledgeIn = MoneyPledgeIn | TimePledgeIn | SkillPledgeIn


class PledgeRead(msgspec.Struct, omit_defaults=True):
    id: int
    project_id: int
    need_id: int
    kind: str
    status: str
    contributor: dict[str, object]
    created_at: datetime
    public_name: bool
    amount_cents: int | None = None
    currency: str | None = None
    minutes: int | None = None
    # The organization pledged for ({"id", "name"}); absent when pledged in the contributor's own name.
    on_behalf_of: dict[str, object] | None = None
    # Who confirmed the promise kept (a lead, or for money an admin of the call); absent until then.
    confirmed_by_id: int | None = None
    skill: str = ""
    note: str = ""
