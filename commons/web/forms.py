"""Reading HTML forms: text fields, euros and hours typed the French way, safe redirects.

Every helper raises :class:`~commons.errors.InvalidInput` with a message a person
understands, so a page can show the form again with the error and what was typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from commons.errors import InvalidInput

T = TypeVar("T")

PARIS = ZoneInfo("Europe/Paris")

# Digits with an optional decimal part, after spaces (thousands separators) are removed.
_EUROS_RE = re.compile(r"^\d{1,12}(?:[.,]\d{1,2})?$")
_HOURS_RE = re.compile(r"^\d{1,9}(?:[.,]\d{1,2})?$")
_SPACES_RE = re.compile(r"[\s\u00a0\u202f']")

RawForm = dict[str, str | list[str]]


class Form:
    """A submitted urlencoded form; blank fields are simply absent."""

    def __init__(self, raw: RawForm | None) -> None:
        self.raw: RawForm = dict(raw or {})
        self.raw.pop("_csrf_token", None)

    def text(self, name: str) -> str:
        value = self.raw.get(name, "")
        if isinstance(value, list):
            value = value[-1] if value else ""
        return value.strip()

    def values(self, name: str) -> list[str]:
        value = self.raw.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def required(self, name: str, label: str) -> str:
        value = self.text(name)
        if not value:
            raise InvalidInput(f"Le champ « {label} » est obligatoire.")
        return value

    def cents(self, name: str, label: str) -> int | None:
        """An amount typed in euros, as exact integer cents (None when left blank)."""
        value = self.text(name)
        return parse_cents(value, label) if value else None

    def minutes(self, name: str, label: str) -> int | None:
        """A duration typed in hours, as minutes (None when left blank)."""
        value = self.text(name)
        return parse_minutes(value, label) if value else None

    def integer(self, name: str, label: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        if not value.isdigit() or len(value) > 9:
            raise InvalidInput(f"« {label} » : entrez un nombre entier positif (reçu « {value} »).")
        return int(value)

    def date(self, name: str, label: str) -> datetime | None:
        """A day (``AAAA-MM-JJ``) as the end of that day in Paris."""
        value = self.text(name)
        if not value:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"« {label} » : date invalide « {value} » (attendu AAAA-MM-JJ).") from None
        return datetime.combine(day, time(23, 59, 59), tzinfo=PARIS)

    def as_dict(self) -> dict[str, str]:
        """What was typed, to fill the form again (one value per field)."""
        return {name: self.text(name) for name in self.raw}


def parse_cents(value: str, label: str) -> int:
    """``"120"``, ``"120,50"``, ``"1 200.5"`` → 12000, 12050, 120050 — exactly, through Decimal."""
    compact = _SPACES_RE.sub("", value).removesuffix("€")
    if not _EUROS_RE.match(compact):
        raise InvalidInput(
            f"« {label} » : montant invalide « {value} ». Entrez un montant positif en euros, "
            "par exemple 120 ou 120,50."
        )
    return int(Decimal(compact.replace(",", ".")) * 100)


def parse_minutes(value: str, label: str) -> int:
    """``"2"`` or ``"1,5"`` hours → 120 or 90 minutes (rounded to the nearest minute)."""
    compact = _SPACES_RE.sub("", value).lower().removesuffix("h")
    if not _HOURS_RE.match(compact):
        raise InvalidInput(
            f"« {label} » : durée invalide « {value} ». Entrez un nombre d'heures positif, par exemple 2 ou 1,5."
        )
    return int((Decimal(compact.replace(",", ".")) * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euros_input(cents: int | None) -> str:
    """Cents as typed in a form: ``12050`` → ``"120,50"``, ``12000`` → ``"120"``."""
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if rest else str(euros)


def hours_input(minutes: int) -> str:
    """Minutes as typed in a form: ``90`` → ``"1,5"``."""
    hours = Decimal(minutes) / 60
    text = f"{hours.quantize(Decimal('0.01')).normalize():f}"
    return text.replace(".", ",")


def convert(data: dict[str, Any], schema: type[T], labels: dict[str, str]) -> T:
    """Check a form's values against an API schema (lengths, bounds), in words a person reads."""
    try:
        return msgspec.convert(data, schema)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = message.rsplit("$.", 1)[-1].rstrip("`").split(".", 1)[0].split("[", 1)[0] if "$." in message else ""
        label = labels.get(field, field)
        if "length" in message:
            raise InvalidInput(f"« {label} » : texte trop long ou vide.") from None
        raise InvalidInput(f"« {label} » : valeur hors des limites permises.") from None


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after signing in; anything pointing elsewhere is ignored."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


async def undo(db: AsyncSession, *keep: object) -> None:
    """Undo what a refused use case left in the session, and reload what the page shows again.

    A rollback expires every loaded object; templates cannot load lazily, so the
    objects still needed (the signed-in user...) are refreshed here.
    """
    await db.rollback()
    for instance in keep:
        await db.refresh(instance)
