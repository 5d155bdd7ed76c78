"""What a password must be: long enough, not guessable, not made of the owner's address or name."""

from __future__ import annotations

from zxcvbn import zxcvbn

from commons.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 guesses or more), 4 "very unguessable".
MIN_SCORE = 3
# Shorter parts of a name or address ("Al", "fr") are too common to refuse a password for them.
_MIN_PERSONAL_PART = 3


def check_password(password: str, *, email: str, name: str) -> None:
    """Refuse, with a message a person understands, a password that would be easy to find."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Le mot de passe doit faire au moins {MIN_LENGTH} caractères.")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Le mot de passe est trop long ({MAX_LENGTH} caractères au plus).")
    lowered = password.lower()
    local_part = email.lower().partition("@")[0]
    # The whole name only: one of its words may be a common one ("Administration Commons"); zxcvbn,
    # given the words below, already counts a password built on them as easy to guess.
    personal = [email.lower(), local_part, name.strip().lower()]
    if any(len(part) >= _MIN_PERSONAL_PART and part in lowered for part in personal):
        raise InvalidInput("Le mot de passe ne doit contenir ni votre adresse e-mail ni votre nom.")
    if zxcvbn(password, user_inputs=[email, local_part, name, *name.split()])["score"] < MIN_SCORE:
        raise InvalidInput(
            "Ce mot de passe est trop facile à deviner : allongez-le, par exemple avec quelques mots "
            "sans rapport entre eux."
        )
