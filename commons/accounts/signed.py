"""Signed, expiring values for links sent by mail (address verification, password reset).

A value is ``base64url(JSON).base64url(HMAC-SHA256)``: nothing is stored on the server, so the
key must be one derived for the link's purpose (``Settings.signing_key``), and what makes a link
single-use must be inside the value (e.g. a fingerprint of the password hash it replaces).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from commons.errors import InvalidInput

INVALID_LINK = "Ce lien est invalide ou a expiré. Demandez-en un nouveau."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def sign(key: bytes, fields: dict[str, Any], *, expires_at: datetime) -> str:
    body = _b64(json.dumps({**fields, "exp": int(expires_at.timestamp())}, separators=(",", ":")).encode())
    return f"{body}.{_mac(key, body)}"


def unsign(key: bytes, value: str, *, now: datetime) -> dict[str, Any]:
    """The fields of a value signed with ``key``, if it is intact and not expired; else ``InvalidInput``."""
    body, _, mac = value.strip().partition(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, body).encode()):
        raise InvalidInput(INVALID_LINK)
    try:
        fields = json.loads(_unb64(body))
    except (ValueError, binascii.Error) as exc:  # signed by us, so only a changed key gets here
        raise InvalidInput(INVALID_LINK) from exc
    if not isinstance(fields, dict) or not isinstance(fields.get("exp"), int) or fields["exp"] <= now.timestamp():
        raise InvalidInput(INVALID_LINK)
    return fields
