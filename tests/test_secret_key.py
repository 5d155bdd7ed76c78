"""The secret key: strong or refused, never padded, never shown."""

from __future__ import annotations

import base64
import secrets
from dataclasses import replace
from pathlib import Path

import pytest

from commons.cli import main
from commons.settings import Secret, Settings, load_settings
from tests.conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
# The fallback compose.yaml used to ship: a cookie forged with it was accepted on /admin.
FORMER_COMPOSE_DEFAULT = "change-me-change-me-change-me-32"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("COMMONS_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "COMMONS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("short", [FORMER_COMPOSE_DEFAULT, "secret", secrets.token_hex(16), secrets.token_urlsafe(24)])
def test_a_short_secret_key_is_refused_not_padded(environment: pytest.MonkeyPatch, short: str) -> None:
    environment.setenv("COMMONS_SECRET_KEY", short)
    with pytest.raises(ValueError, match=r"COMMONS_SECRET_KEY.*secrets\.token_hex"):
        load_settings()


def test_the_cli_refuses_to_start_with_a_short_key_and_says_why(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("COMMONS_SECRET_KEY", FORMER_COMPOSE_DEFAULT)
    assert main(["migrate"]) != 0
    error = capsys.readouterr().err
    assert "COMMONS_SECRET_KEY" in error and "Traceback" not in error


def test_production_requires_a_secret_key_from_the_environment(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("DATABASE_URL", "postgresql://commons@db/commons")
    with pytest.raises(ValueError, match="COMMONS_SECRET_KEY is required"):
        load_settings()


@pytest.mark.parametrize(
    "key",
    [secrets.token_hex(32), secrets.token_urlsafe(32), base64.urlsafe_b64encode(secrets.token_bytes(48)).decode()],
)
def test_a_strong_key_is_accepted_in_hex_or_base64(environment: pytest.MonkeyPatch, key: str) -> None:
    environment.setenv("COMMONS_SECRET_KEY", key)
    assert len(load_settings().secret_key.reveal()) >= 32


def test_the_embedded_default_keeps_a_strong_generated_key(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text(secrets.token_hex(16))  # as older versions wrote it
    first = load_settings().secret_key.reveal()
    assert len(first) >= 32
    assert load_settings().secret_key.reveal() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_key_never_shows_in_a_repr(environment: pytest.MonkeyPatch) -> None:
    key = secrets.token_hex(32)
    environment.setenv("COMMONS_SECRET_KEY", key)
    settings = load_settings()
    shown = repr(settings) + str(settings.secret_key) + repr(replace(settings, secret_key=TEST_SECRET_KEY))
    assert "Secret('**********')" in shown
    assert key not in shown and bytes.fromhex(key).hex() not in shown and repr(bytes.fromhex(key)) not in shown


def test_purposes_get_different_keys_from_one_secret(tmp_path: Path) -> None:
    secret = Secret(bytes(range(32)))
    settings = Settings(
        data_dir=tmp_path, database_url="sqlite://", redis_url=None, secret_key=secret, secure_cookies=True, debug=False
    )
    assert settings.signing_key("session") != settings.signing_key("csrf")
    assert secret.reveal() not in (settings.signing_key("session"), settings.signing_key("csrf"))


def test_compose_has_no_default_secret_key() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    assert "COMMONS_SECRET_KEY: ${COMMONS_SECRET_KEY:?" in compose
    assert FORMER_COMPOSE_DEFAULT not in compose


def test_a_generated_key_is_never_readable_by_others(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = load_settings().secret_key.reveal()
    stored = tmp_path / "secret_key"
    assert stored.stat().st_mode & 0o077 == 0
    assert bytes.fromhex(stored.read_text()) == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind
