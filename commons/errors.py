"""One exception hierarchy for the domain, mapped once to HTTP answers at the app level."""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: the message is shown to the person as it is."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    """Refused until ``retry_after`` seconds have passed (sent as the ``Retry-After`` header)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after
