"""Configuration read from the environment, once, into one frozen dataclass.

With no variables set, Commons runs embedded: a SQLite file and its secrets under
``COMMONS_DATA_DIR`` (default ``./var``) and jobs processed inside the web process.
Setting ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` turns it into the scaled-out
setup where separate ``commons worker`` processes consume the jobs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from commons.db import DatabaseTimeouts
from commons.pledges.currencies import LocalCurrency, local_currencies_from_env
from commons.resources.valuation import DEFAULT_VALUATION, ValuationTable, valuation_from_env

KEY_VARIABLE = "COMMONS_SECRET_KEY"
# 32 random bytes: as many as the HMAC-SHA256 the keys are derived with can use.
MIN_SECRET_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value that never shows in a repr, a log line or a traceback's locals."""

    _value: bytes = field(repr=False)

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


DEFAULT_MAIL_FROM = "Commons <ne-pas-repondre@localhost>"
DEFAULT_BASE_URL = "http://localhost:8000"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: Secret
    secure_cookies: bool
    debug: bool
    # How volunteer time is valued (SMIC horaire and skill coefficients): see commons.resources.valuation.
    valuation: ValuationTable = DEFAULT_VALUATION
    # Local currencies money may be pledged in, pegged 1:1 to the euro: see commons.pledges.currencies.
    local_currencies: tuple[LocalCurrency, ...] = ()
    # How long the relay waits for an event's consumers to record it before sending it again, and how many
    # times it sends it again (COMMONS_REDELIVERY_DELAY in seconds, COMMONS_REDELIVERY_ATTEMPTS).
    redelivery_delay: timedelta = timedelta(seconds=30)
    redelivery_attempts: int = 5
    # How long a worker may stay silent before Redis hands its unacknowledged messages to the others
    # (COMMONS_WORKER_HEARTBEAT_TIMEOUT, in seconds). A worker busy longer than this with all its
    # messages in hand is taken for dead and its messages run twice (harmless: actors are idempotent).
    worker_heartbeat_timeout: timedelta = timedelta(seconds=30)
    # How long PostgreSQL may keep a request waiting (COMMONS_DB_CONNECT_TIMEOUT, COMMONS_DB_STATEMENT_TIMEOUT,
    # COMMONS_DB_POOL_TIMEOUT, in seconds) before it is answered 503.
    database_timeouts: DatabaseTimeouts = field(default_factory=DatabaseTimeouts)
    # Mail: sent by SMTP (smtp:// or smtps://user:password@host:port) when set, else written as .eml
    # files under ``<data_dir>/mailbox/`` (development, tests).
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    # Where people reach the platform, for the links in mails (no trailing slash).
    base_url: str = DEFAULT_BASE_URL

    @property
    def embedded_jobs(self) -> bool:
        """Jobs run in-process when there is no Redis to hand them to."""
        return self.redis_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_key(self, purpose: str) -> bytes:
        """A key derived from the secret key for one purpose (sessions, eligibility codes...).

        Each use gets its own key so a value signed for one purpose is never valid for another.
        """
        return hmac.new(self.secret_key.reveal(), f"commons:{purpose}".encode(), hashlib.sha256).digest()


def _normalize_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` spellings and pick the async drivers."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def parse_secret_key(text: str) -> Secret:
    """The key given as 64+ hexadecimal digits or as URL-safe base64, of at least 32 random bytes.

    A shorter key is refused rather than padded: padding gives a key anyone can guess.
    Raises ``ValueError`` naming the variable and saying how to make a good key.
    """
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        try:
            key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            key = b""
    if len(key) < MIN_SECRET_KEY_BYTES:
        raise ValueError(
            f"{KEY_VARIABLE} must hold at least {MIN_SECRET_KEY_BYTES} random bytes, as 64 hexadecimal "
            "digits or more (or URL-safe base64); make one with: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return Secret(key)


def _secret_key(data_dir: Path, *, production: bool) -> Secret:
    """The key everything is signed with: from the environment, else kept in the data directory.

    In the embedded default it is generated on first use so a fresh data directory works without
    set-up, and kept so sessions survive a restart. On PostgreSQL (production), several processes
    must share it and it must come from the environment.
    """
    from_env = os.environ.get(KEY_VARIABLE)
    if from_env:
        return parse_secret_key(from_env)
    if production:
        raise ValueError(
            f"{KEY_VARIABLE} is required with a PostgreSQL DATABASE_URL; make one with: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    path = data_dir / "secret_key"
    try:
        return parse_secret_key(path.read_text())
    except FileNotFoundError:
        _write_new_key(path, replace=False)
    except ValueError:
        # A short key written by an older version: replaced by a strong one (its sessions end).
        _write_new_key(path, replace=True)
    return parse_secret_key(path.read_text())


def _write_new_key(path: Path, *, replace: bool) -> None:
    """Put a new random key at ``path``, readable by its owner only, never seen half-written.

    Web processes starting together on a fresh data directory all end up with the first one's key.
    """
    draft = path.with_name(f"{path.name}.{os.getpid()}.new")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(MIN_SECRET_KEY_BYTES))
    try:
        if replace:
            draft.replace(path)
        else:
            os.link(draft, path)  # fails if another process put its key there first
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def _database_timeouts() -> DatabaseTimeouts:
    default = DatabaseTimeouts()
    return DatabaseTimeouts(
        connect=float(os.environ.get("COMMONS_DB_CONNECT_TIMEOUT", default.connect)),
        statement=float(os.environ.get("COMMONS_DB_STATEMENT_TIMEOUT", default.statement)),
        pool=float(os.environ.get("COMMONS_DB_POOL_TIMEOUT", default.pool)),
    )


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("COMMONS_DATA_DIR", "./var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = _normalize_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'commons.sqlite3'}"
    )
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=_secret_key(data_dir, production=not database_url.startswith("sqlite")),
        secure_cookies=os.environ.get("COMMONS_INSECURE_COOKIES", "") not in ("1", "true", "yes"),
        debug=os.environ.get("COMMONS_DEBUG", "") in ("1", "true", "yes"),
        valuation=valuation_from_env(os.environ),
        local_currencies=local_currencies_from_env(os.environ),
        redelivery_delay=timedelta(seconds=float(os.environ.get("COMMONS_REDELIVERY_DELAY", "30"))),
        redelivery_attempts=int(os.environ.get("COMMONS_REDELIVERY_ATTEMPTS", "5")),
        worker_heartbeat_timeout=timedelta(seconds=float(os.environ.get("COMMONS_WORKER_HEARTBEAT_TIMEOUT", "30"))),
        database_timeouts=_database_timeouts(),
        smtp_url=os.environ.get("COMMONS_SMTP_URL") or None,
        mail_from=os.environ.get("COMMONS_MAIL_FROM") or DEFAULT_MAIL_FROM,
        base_url=(os.environ.get("COMMONS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
    )
