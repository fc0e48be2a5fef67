"""Settings: the names and defaults of service-contract.md, one-line errors naming the variable, hidden secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dm_bot.settings import Settings, SettingsError, load_settings, sqlite_path

SECRET_VARIABLES = (
    "DM_BOT_META_APP_SECRET",
    "DM_BOT_META_VERIFY_TOKEN",
    "DM_BOT_TIKTOK_CLIENT_SECRET",
    "DM_BOT_TELEGRAM_TOKEN",
    "DM_BOT_SECRET_KEY",
    "DM_BOT_META_PAGE_TOKEN",
    "DM_BOT_TIKTOK_ACCESS_TOKEN",
)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory with a ./playbooks folder, as a deployment has."""
    (tmp_path / "playbooks").mkdir()
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _error(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_are_those_of_the_contract(in_tmp: Path) -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///./var/dm_bot.sqlite3"
    assert settings.playbooks_dir == Path("./playbooks")
    assert settings.graph_api_url == "https://graph.facebook.com/v23.0"
    assert settings.tiktok_api_url == "https://business-api.tiktok.com/open_api/v1.3"
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.public_url == "http://127.0.0.1:8080"
    unset = (
        settings.meta_app_secret,
        settings.meta_verify_token,
        settings.tiktok_client_secret,
        settings.telegram_token,
        settings.telegram_chat_id,
        settings.secret_key,
        settings.meta_page_token,
        settings.tiktok_access_token,
        settings.secrets_file,
    )
    assert unset == (None,) * 9


def test_reads_every_variable_under_its_contract_name(in_tmp: Path) -> None:
    (in_tmp / "books").mkdir()
    env = {name: f"value-of-{name}" for name in SECRET_VARIABLES}
    env |= {
        "DM_BOT_DATABASE_URL": "postgresql+asyncpg://dm:pw@db:5432/dm_bot",
        "DM_BOT_PLAYBOOKS_DIR": "books",
        "DM_BOT_GRAPH_API_URL": "http://127.0.0.1:9001/v23.0",
        "DM_BOT_TIKTOK_API_URL": "http://127.0.0.1:9002/open_api/v1.3",
        "DM_BOT_TELEGRAM_API_URL": "http://127.0.0.1:9003/bot",
        "DM_BOT_TELEGRAM_CHAT_ID": "-1001234567890",
        "DM_BOT_PUBLIC_URL": "https://dm.example.com",
    }
    settings = load_settings(env)
    assert settings.meta_app_secret == "value-of-DM_BOT_META_APP_SECRET"
    assert settings.meta_verify_token == "value-of-DM_BOT_META_VERIFY_TOKEN"
    assert settings.tiktok_client_secret == "value-of-DM_BOT_TIKTOK_CLIENT_SECRET"
    assert settings.telegram_token == "value-of-DM_BOT_TELEGRAM_TOKEN"
    assert settings.secret_key == "value-of-DM_BOT_SECRET_KEY"
    assert settings.meta_page_token == "value-of-DM_BOT_META_PAGE_TOKEN"
    assert settings.tiktok_access_token == "value-of-DM_BOT_TIKTOK_ACCESS_TOKEN"
    assert settings.database_url == "postgresql+asyncpg://dm:pw@db:5432/dm_bot"
    assert settings.playbooks_dir == Path("books")
    assert settings.graph_api_url == "http://127.0.0.1:9001/v23.0"
    assert settings.tiktok_api_url == "http://127.0.0.1:9002/open_api/v1.3"
    assert settings.telegram_api_url == "http://127.0.0.1:9003/bot"
    assert settings.telegram_chat_id == "-1001234567890"
    assert settings.public_url == "https://dm.example.com"


def test_an_empty_variable_counts_as_unset(in_tmp: Path) -> None:
    settings = load_settings({"DM_BOT_TELEGRAM_TOKEN": "", "DM_BOT_PUBLIC_URL": "  "})
    assert settings.telegram_token is None
    assert settings.public_url == "http://127.0.0.1:8080"


def test_ignores_the_process_environment(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DM_BOT_TELEGRAM_TOKEN", "from-os-environ")
    assert load_settings({}).telegram_token is None


@pytest.mark.parametrize(
    "url", ["sqlite:///x.db", "postgresql://u@h/db", "mysql+aiomysql://h/db", "sqlite+aiosqlite:///", "./dm.sqlite3"]
)
def test_rejects_a_database_url_of_another_scheme(in_tmp: Path, url: str) -> None:
    message = _error({"DM_BOT_DATABASE_URL": url})
    assert message.startswith("DM_BOT_DATABASE_URL: ")


def test_database_url_error_says_which_schemes_work(in_tmp: Path) -> None:
    assert _error({"DM_BOT_DATABASE_URL": "sqlite:///x.db"}) == (
        "DM_BOT_DATABASE_URL: must start with sqlite+aiosqlite:/// or postgresql+asyncpg://"
    )


@pytest.mark.parametrize(
    "variable", ["DM_BOT_GRAPH_API_URL", "DM_BOT_TIKTOK_API_URL", "DM_BOT_TELEGRAM_API_URL", "DM_BOT_PUBLIC_URL"]
)
@pytest.mark.parametrize("url", ["ftp://example.com", "example.com/path", "https://", "file:///etc/passwd"])
def test_rejects_urls_that_are_not_http(in_tmp: Path, variable: str, url: str) -> None:
    assert _error({variable: url}) == f"{variable}: must be an http:// or https:// URL with a host"


def test_base_urls_lose_a_trailing_slash_so_joined_paths_do_not_double(in_tmp: Path) -> None:
    settings = load_settings({"DM_BOT_PUBLIC_URL": "https://dm.example.com/", "DM_BOT_GRAPH_API_URL": "http://h/v1/"})
    assert (settings.public_url, settings.graph_api_url) == ("https://dm.example.com", "http://h/v1")


@pytest.mark.parametrize("chat_id", ["123456789", "-1001234567890", "@spa_staff_chat"])
def test_accepts_numeric_and_named_telegram_chats(in_tmp: Path, chat_id: str) -> None:
    assert load_settings({"DM_BOT_TELEGRAM_CHAT_ID": chat_id}).telegram_chat_id == chat_id


@pytest.mark.parametrize("chat_id", ["staff", "12.5", "@ab", "-", "@spa staff"])
def test_rejects_a_telegram_chat_that_is_neither_number_nor_name(in_tmp: Path, chat_id: str) -> None:
    assert _error({"DM_BOT_TELEGRAM_CHAT_ID": chat_id}).startswith("DM_BOT_TELEGRAM_CHAT_ID: must be a chat id")


def test_playbooks_dir_must_exist(in_tmp: Path) -> None:
    assert _error({"DM_BOT_PLAYBOOKS_DIR": "nowhere"}) == "DM_BOT_PLAYBOOKS_DIR: nowhere is not a folder"


def test_default_playbooks_dir_must_exist_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _error({}) == "DM_BOT_PLAYBOOKS_DIR: playbooks is not a folder"


def test_a_misspelt_variable_fails_instead_of_silently_using_the_default(in_tmp: Path) -> None:
    message = _error({"DM_BOT_DATABSE_URL": "postgresql+asyncpg://h/db"})
    assert message == "DM_BOT_DATABSE_URL: unknown setting; did you mean DM_BOT_DATABASE_URL?"


def test_unrelated_dm_bot_variables_are_left_alone(in_tmp: Path) -> None:
    assert load_settings({"DM_BOT_TEST_PG": "postgresql://x", "DM_BOT_LOG_LEVEL": "debug"}) == Settings()


def test_sqlite_path_resolves_a_relative_file_against_the_working_directory(in_tmp: Path) -> None:
    settings = load_settings({})
    assert settings.sqlite_path == in_tmp / "var" / "dm_bot.sqlite3"
    assert not (in_tmp / "var").exists()  # the store creates the folder, not the settings


def test_sqlite_path_keeps_an_absolute_file_and_is_none_for_postgres(in_tmp: Path) -> None:
    assert sqlite_path("sqlite+aiosqlite:////srv/dm/db.sqlite3") == Path("/srv/dm/db.sqlite3")
    assert sqlite_path("postgresql+asyncpg://h/db") is None


def test_no_secret_appears_in_repr_or_str(in_tmp: Path) -> None:
    secrets = in_tmp / "secrets.json"
    secrets.write_text(json.dumps({"spa-a": {"meta_page_token": "file-page-token-A"}}))
    env = {name: f"s3cr3t-{index}" for index, name in enumerate(SECRET_VARIABLES)}
    env |= {"DM_BOT_DATABASE_URL": "postgresql+asyncpg://dm:db-password-9@db/dm", "DM_BOT_SECRETS_FILE": str(secrets)}
    settings = load_settings(env)
    shown = repr(settings) + str(settings) + repr(settings.account_tokens)
    hidden = [env[name] for name in SECRET_VARIABLES] + ["db-password-9", "file-page-token-A"]
    assert [value for value in hidden if value in shown] == []
    assert "postgresql+asyncpg://dm:***@db/dm" in shown


def _secrets(folder: Path, name: str, text: str) -> dict[str, str]:
    (folder / name).write_text(text)
    return {"DM_BOT_SECRETS_FILE": str(folder / name)}


def test_channel_token_prefers_the_accounts_entry_in_the_secrets_file(in_tmp: Path) -> None:
    env = _secrets(in_tmp, "secrets.yaml", "spa-a:\n  meta_page_token: page-A\n  tiktok_access_token: tt-A\n")
    settings = load_settings(env | {"DM_BOT_META_PAGE_TOKEN": "page-env", "DM_BOT_TIKTOK_ACCESS_TOKEN": "tt-env"})
    assert settings.channel_token("instagram", "spa-a") == "page-A"
    assert settings.channel_token("messenger", "spa-a") == "page-A"
    assert settings.channel_token("tiktok", "spa-a") == "tt-A"
    assert settings.channel_token("instagram", "spa-b") == "page-env"
    assert settings.channel_token("tiktok", "spa-b") == "tt-env"


def test_channel_token_falls_back_to_the_single_spa_variable_for_a_token_the_file_lacks(in_tmp: Path) -> None:
    env = _secrets(in_tmp, "secrets.json", json.dumps({"spa-a": {"meta_page_token": "page-A"}}))
    settings = load_settings(env | {"DM_BOT_TIKTOK_ACCESS_TOKEN": "tt-env"})
    assert settings.channel_token("tiktok", "spa-a") == "tt-env"


def test_channel_token_is_none_when_nothing_is_configured(in_tmp: Path) -> None:
    settings = load_settings({})
    assert settings.channel_token("instagram", "spa-a") is None
    assert settings.channel_token("carrier-pigeon", "spa-a") is None


def test_secrets_file_must_exist(in_tmp: Path) -> None:
    assert _error({"DM_BOT_SECRETS_FILE": "missing.yaml"}) == "DM_BOT_SECRETS_FILE: missing.yaml is not a file"


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("s.json", '{"spa-a": {"meta_page_token": "tok-1"', "line 1: invalid JSON"),
        ("s.yaml", "spa-a: [tok-1\n", "invalid YAML"),
        ("s.yaml", "- tok-1\n", "must be a mapping of account id"),
        ("s.yaml", "spa-a: tok-1\n", "spa-a: must be a mapping"),
        ("s.yaml", "spa-a:\n  meta_page_tokn: tok-1\n", "spa-a.meta_page_tokn: unknown field"),
        ("s.yaml", "spa-a:\n  meta_page_token: 12345\n", "spa-a.meta_page_token: must be a non-empty text"),
    ],
)
def test_a_malformed_secrets_file_is_named_without_quoting_its_values(
    in_tmp: Path, name: str, text: str, problem: str
) -> None:
    message = _error(_secrets(in_tmp, name, text))
    assert message.startswith(f"DM_BOT_SECRETS_FILE: {in_tmp / name}: ")
    assert problem in message
    assert "tok-1" not in message and "12345" not in message


@pytest.mark.parametrize(("raw", "trusted"), [("", False), ("true", True), ("1", True), ("no", False)])
def test_trusting_x_forwarded_proto_is_off_unless_turned_on(in_tmp: Path, raw: str, trusted: bool) -> None:
    assert load_settings({"DM_BOT_TRUST_FORWARDED_PROTO": raw}).trust_forwarded_proto is trusted


def test_a_bad_trust_forwarded_proto_names_the_variable(in_tmp: Path) -> None:
    assert _error({"DM_BOT_TRUST_FORWARDED_PROTO": "https"}) == "DM_BOT_TRUST_FORWARDED_PROTO: must be true or false"
