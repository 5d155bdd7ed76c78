"""Configuration read from the environment, once, into one frozen dataclass.

With no variables set, Commons runs embedded: a SQLite file and its secrets under
``COMMONS_DATA_DIR`` (default ``./var``) and jobs processed inside the web process.
Setting ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` turns it into the scaled-out
setup where separate ``commons worker`` processes consume the jobs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from commons.pledges.currencies import LocalCurrency, local_currencies_from_env
from commons.resources.valuation import DEFAULT_VALUATION, ValuationTable, valuation_from_env

DEFAULT_MAIL_FROM = "Commons <ne-pas-repondre@localhost>"
DEFAULT_BASE_URL = "http://localhost:8000"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: bytes
    secure_cookies: bool
    debug: bool
    # How volunteer time is valued (SMIC horaire and skill coefficients): see commons.resources.valuation.
    valuation: ValuationTable = DEFAULT_VALUATION
    # Local currencies money may be pledged in, pegged 1:1 to the euro: see commons.pledges.currencies.
    local_currencies: tuple[LocalCurrency, ...] = ()
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
        return hmac.new(self.secret_key, f"commons:{purpose}".encode(), hashlib.sha256).digest()


def _normalize_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` spellings and pick the async drivers."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def _secret_key(data_dir: Path) -> bytes:
    """The session-signing key: from the environment, else kept in the data directory.

    Generated on first use so a fresh data directory works without set-up, and kept
    so sessions survive a restart.
    """
    from_env = os.environ.get("COMMONS_SECRET_KEY")
    if from_env:
        return from_env.encode()[:32].ljust(32, b"0")
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(16))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("COMMONS_DATA_DIR", "./var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'commons.sqlite3'}"
    return Settings(
        data_dir=data_dir,
        database_url=_normalize_database_url(database_url),
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=_secret_key(data_dir),
        secure_cookies=os.environ.get("COMMONS_INSECURE_COOKIES", "") not in ("1", "true", "yes"),
        debug=os.environ.get("COMMONS_DEBUG", "") in ("1", "true", "yes"),
        valuation=valuation_from_env(os.environ),
        local_currencies=local_currencies_from_env(os.environ),
        smtp_url=os.environ.get("COMMONS_SMTP_URL") or None,
        mail_from=os.environ.get("COMMONS_MAIL_FROM") or DEFAULT_MAIL_FROM,
        base_url=(os.environ.get("COMMONS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
    )
