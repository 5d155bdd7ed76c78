"""The pure parts of eligibility: the verified-address requirement, and how identifiers and codes
are normalized and made unreadable before they are stored."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from commons.accounts.models import User
from commons.errors import Forbidden, InvalidInput

UNVERIFIED = (
    "Confirmez d'abord votre adresse e-mail (suivez le lien du message reçu à l'inscription) : "
    "contribuer, voter, s'inscrire à un co-budget ou déléguer demande une adresse vérifiée."
)
MAX_IDENTIFIER = 200
# Invitation codes: letters and digits people copy without mistakes (no 0/O, 1/I/L), in groups of 4.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def require_verified(user: User) -> None:
    """Refuse (403) a person whose address is not verified: an address nobody reads is how sock
    accounts are made, and each would otherwise pledge, vote or hold a wallet."""
    if not user.email_verified:
        raise Forbidden(UNVERIFIED)


def normalize_identifier(identifier: str) -> str:
    """An identifier as compared: case, spaces, dashes and dots ignored, so « 75 012-345 » matches
    « 75012345 » whichever way the list and the person write it."""
    normalized = re.sub(r"[\s.\-]+", "", identifier).casefold()
    if not normalized:
        raise InvalidInput("Indiquez un identifiant.")
    if len(normalized) > MAX_IDENTIFIER:
        raise InvalidInput(f"Un identifiant fait au plus {MAX_IDENTIFIER} caractères.")
    return normalized


def credential_digest(key: bytes, round_id: int, kind: str, secret: str) -> str:
    """What is stored of an identifier or a code: an HMAC under the eligibility key, bound to the round
    and the kind, so the list cannot be read back nor a value reused elsewhere."""
    message = f"{round_id}:{kind}:{normalize_identifier(secret)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    """A fresh invitation code, as shown to the authority: ``ABCD-EFGH-JKMN`` (~59 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
