"""The booking webhook's shared secret: per account in the secrets file, else DM_BOT_BOOKING_SECRET."""

from __future__ import annotations

from pathlib import Path

import pytest

from dm_bot.settings import SettingsError, load_settings


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    (tmp / "playbooks").mkdir(exist_ok=True)
    return {"DM_BOT_PLAYBOOKS_DIR": str(tmp / "playbooks"), **extra}


def test_the_secrets_file_gives_each_account_its_own_booking_secret(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text('{"north": {"booking_secret": "n-secret"}, "south": {"meta_page_token": "t"}}')
    settings = load_settings(_env(tmp_path, DM_BOT_SECRETS_FILE=str(secrets), DM_BOT_BOOKING_SECRET="shared"))
    assert settings.booking_secret_for("north") == "n-secret"
    assert settings.booking_secret_for("south") == "shared"  # the file names none for it: the variable's
    assert settings.booking_secret_for("elsewhere") == "shared"


def test_without_any_booking_secret_there_is_none(tmp_path: Path) -> None:
    assert load_settings(_env(tmp_path)).booking_secret_for("demo-spa") is None


def test_the_booking_secret_never_shows_in_repr(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("north: {booking_secret: file-secret-value}\n")
    settings = load_settings(_env(tmp_path, DM_BOT_SECRETS_FILE=str(secrets), DM_BOT_BOOKING_SECRET="env-secret"))
    shown = repr(settings) + repr(settings.account_tokens["north"])
    assert "env-secret" not in shown and "file-secret-value" not in shown


def test_a_misspelt_booking_secret_variable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DM_BOT_BOOKING_SECRET"):
        load_settings(_env(tmp_path, DM_BOT_BOOKING_SECRETS="oops"))
