"""Signed, expiring values for the links sent by mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commons.accounts.signed import sign, unsign
from commons.errors import InvalidInput

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
KEY = b"k" * 32


def test_a_signed_value_reads_back_until_it_expires() -> None:
    value = sign(KEY, {"user": 7}, expires_at=NOW + timedelta(hours=1))
    assert unsign(KEY, value, now=NOW)["user"] == 7
    with pytest.raises(InvalidInput, match="expiré"):
        unsign(KEY, value, now=NOW + timedelta(hours=1))


def test_a_changed_value_or_another_key_is_refused() -> None:
    value = sign(KEY, {"user": 7}, expires_at=NOW + timedelta(hours=1))
    body, mac = value.split(".")
    forged = sign(b"x" * 32, {"user": 8}, expires_at=NOW + timedelta(hours=1)).split(".")[0]
    for bad in (f"{forged}.{mac}", f"{body}.{mac[:-2]}", "n'importe quoi", ""):
        with pytest.raises(InvalidInput):
            unsign(KEY, bad, now=NOW)
    with pytest.raises(InvalidInput):
        unsign(b"y" * 32, value, now=NOW)
