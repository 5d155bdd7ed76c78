"""Rate limits shared by every process: Redis when ``REDIS_URL`` is set, this process's memory otherwise.

Sign-in failures are counted four ways, so that guessing is slow without handing strangers a way
to lock an account's owner out:

- per (account, address): the lockout; a stranger's failures do not count against the owner's address;
- per address, over all accounts: one machine trying one password on many accounts;
- per account, over all addresses: many machines on one account; it only refuses addresses that
  already failed on that account, so the owner, at their first try, still gets in;
- over the whole platform: a distributed spraying attack; likewise only against failing addresses.
"""

from __future__ import annotations

import enum
import hashlib
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from commons.errors import TooManyAttempts

LOGIN_PER_PAIR = parse("5/15minutes")
LOGIN_PER_ADDRESS = parse("30/15minutes")
LOGIN_PER_ACCOUNT = parse("50/hour")
LOGIN_OVERALL = parse("1000/15minutes")

TOO_MANY_LOGINS = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


class Action(enum.StrEnum):
    """Actions limited per person (or per address before one is signed in), with their limit."""

    SIGN_UP = "sign-up"
    TOKEN = "token"  # noqa: S105  # nosec B105  # an action name, not a secret
    MAIL = "mail"
    PLEDGE = "pledge"
    BALLOT = "ballot"

    @property
    def limit(self) -> RateLimitItem:
        return _ACTION_LIMITS[self]

    @property
    def message(self) -> str:
        return _ACTION_MESSAGES[self]


_ACTION_LIMITS = {
    Action.SIGN_UP: parse("30/hour"),
    Action.TOKEN: parse("20/hour"),
    Action.MAIL: parse("5/hour"),
    Action.PLEDGE: parse("60/minute"),
    Action.BALLOT: parse("60/minute"),
}
_ACTION_MESSAGES = {
    Action.SIGN_UP: "Trop d'inscriptions depuis cette adresse. Réessayez plus tard.",
    Action.TOKEN: "Trop de jetons créés. Réessayez plus tard.",
    Action.MAIL: "Trop de messages demandés. Réessayez plus tard.",
    Action.PLEDGE: "Trop de contributions à la suite. Patientez une minute.",
    Action.BALLOT: "Trop de votes à la suite. Patientez une minute.",
}


def _key(value: str) -> str:
    # Addresses and e-mails stay out of Redis: a digest counts as well.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class Throttle:
    """The platform's rate limits; one per application (and per worker), all sharing one storage."""

    def __init__(self, redis_url: str | None) -> None:
        self.storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="commons-throttle")
            if redis_url
            else MemoryStorage()
        )
        self.limiter = MovingWindowRateLimiter(self.storage)

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def _refuse(self, message: str, item: RateLimitItem, *identifiers: str) -> TooManyAttempts:
        return TooManyAttempts(message, retry_after=await self._retry_after(item, *identifiers))

    async def check_login(self, email: str, address: str) -> None:
        """Refuse a sign-in attempt before the password is even checked, if this address must wait."""
        account, client = _key(email), _key(address)
        pair = (account, client)
        if not await self.limiter.test(LOGIN_PER_PAIR, "login-pair", *pair):
            raise await self._refuse(TOO_MANY_LOGINS, LOGIN_PER_PAIR, "login-pair", *pair)
        if not await self.limiter.test(LOGIN_PER_ADDRESS, "login-address", client):
            raise await self._refuse(TOO_MANY_LOGINS, LOGIN_PER_ADDRESS, "login-address", client)
        failed_here = (await self.limiter.get_window_stats(LOGIN_PER_PAIR, "login-pair", *pair)).remaining
        if failed_here < LOGIN_PER_PAIR.amount and not await self.limiter.test(
            LOGIN_PER_ACCOUNT, "login-account", account
        ):
            raise await self._refuse(TOO_MANY_LOGINS, LOGIN_PER_ACCOUNT, "login-account", account)
        failed_anywhere = (await self.limiter.get_window_stats(LOGIN_PER_ADDRESS, "login-address", client)).remaining
        if failed_anywhere < LOGIN_PER_ADDRESS.amount and not await self.limiter.test(LOGIN_OVERALL, "login-all"):
            raise await self._refuse(TOO_MANY_LOGINS, LOGIN_OVERALL, "login-all")

    async def login_failed(self, email: str, address: str) -> None:
        account, client = _key(email), _key(address)
        await self.limiter.hit(LOGIN_PER_PAIR, "login-pair", account, client)
        await self.limiter.hit(LOGIN_PER_ADDRESS, "login-address", client)
        await self.limiter.hit(LOGIN_PER_ACCOUNT, "login-account", account)
        await self.limiter.hit(LOGIN_OVERALL, "login-all")

    async def login_succeeded(self, email: str, address: str) -> None:
        """The owner got in from this address: their earlier typos there no longer count."""
        await self.limiter.clear(LOGIN_PER_PAIR, "login-pair", _key(email), _key(address))

    async def spend(self, action: Action, who: str | int) -> None:
        """Count one ``action`` by ``who`` (a user id or an address), or refuse it with a 429."""
        identifier = _key(str(who))
        if not await self.limiter.hit(action.limit, action.value, identifier):
            raise await self._refuse(action.message, action.limit, action.value, identifier)
