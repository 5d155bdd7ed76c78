"""Where calls and projects are anchored."""

from __future__ import annotations

import enum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import Base, str_enum


class TerritoryLevel(enum.StrEnum):
    COMMUNE = "commune"
    INTERCOMMUNALITE = "intercommunalite"
    DEPARTEMENT = "departement"
    REGION = "region"


class Territory(Base):
    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[TerritoryLevel] = mapped_column(str_enum(TerritoryLevel, 20))
    # INSEE code (commune) or SIREN (intercommunalité) where one exists.
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
