"""The password policy: long, hard to guess, not made of the owner's address or name."""

from __future__ import annotations

import pytest

from commons.accounts.passwords import check_password
from commons.errors import InvalidInput


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "au moins 10 caractères"),
        ("aaaaaaaaaa", "trop facile à deviner"),
        ("1234567890", "trop facile à deviner"),
        ("motdepasse123", "trop facile à deviner"),
        ("ana.martin@example.fr", "ni votre adresse e-mail ni votre nom"),
        ("ANA.MARTIN-en-vacances", "ni votre adresse e-mail ni votre nom"),
        ("Ana Dupontel au soleil", "ni votre adresse e-mail ni votre nom"),
        ("Dupontel2026", "trop facile à deviner"),
    ],
)
def test_weak_or_personal_passwords_are_refused_with_a_reason(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_password(password, email="ana.martin@example.fr", name="Ana Dupontel")


def test_a_long_unrelated_passphrase_is_accepted() -> None:
    check_password("correct horse battery", email="ana.martin@example.fr", name="Ana Dupontel")
