"""The service's settings from an injected environment mapping (service-contract.md), validated at start-up."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml

SQLITE_PREFIX = "sqlite+aiosqlite:///"
POSTGRES_PREFIX = "postgresql+asyncpg://"
TOKEN_KEYS = ("meta_page_token", "tiktok_access_token", "booking_secret", "touch_webhook_secret")
_TOKEN_OF_CHANNEL = {"instagram": "meta_page_token", "messenger": "meta_page_token", "tiktok": "tiktok_access_token"}
_CHAT_ID = re.compile(r"^(?:-?[0-9]+|@[A-Za-z][A-Za-z0-9_]{4,31})$")


class SettingsError(Exception):
    """A bad setting: one line that names the variable."""


@dataclass(frozen=True, repr=False)
class AccountTokens:
    """One account's channel tokens from the secrets file."""

    meta_page_token: str | None = None
    tiktok_access_token: str | None = None
    booking_secret: str | None = None  # the booking system's shared secret for POST /webhooks/booking
    touch_webhook_secret: str | None = None  # signs the touches POSTed to the spa's outbound webhook (issue 18)

    def __repr__(self) -> str:
        return f"AccountTokens({', '.join(f'{k}={_mask(getattr(self, k))}' for k in TOKEN_KEYS)})"


def _secret() -> Any:
    return field(default=None, metadata={"secret": True})


@dataclass(frozen=True, repr=False)
class Settings:
    """Every variable of the Settings table; secrets never show in repr() or str()."""

    database_url: str = "sqlite+aiosqlite:///./var/dm_bot.sqlite3"
    playbooks_dir: Path = Path("./playbooks")
    meta_app_secret: str | None = _secret()
    meta_verify_token: str | None = _secret()
    tiktok_client_secret: str | None = _secret()
    graph_api_url: str = "https://graph.facebook.com/v23.0"
    tiktok_api_url: str = "https://business-api.tiktok.com/open_api/v1.3"
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_token: str | None = _secret()
    telegram_chat_id: str | None = None
    telegram_webhook: bool = False  # True: Telegram posts updates to /webhooks/telegram instead of being polled
    public_url: str = "http://127.0.0.1:8080"
    secret_key: str | None = _secret()
    meta_page_token: str | None = _secret()
    tiktok_access_token: str | None = _secret()
    booking_secret: str | None = _secret()  # POST /webhooks/booking of a single-spa deployment
    touch_webhook_secret: str | None = _secret()  # signs the outbound touch webhook (docs/touch-webhook.md)
    secrets_file: Path | None = None
    # True behind an HTTPS proxy that sets X-Forwarded-Proto: a request it marks `https` gets Secure cookies.
    # Off by default: without such a proxy in front, any client could send the header.
    trust_forwarded_proto: bool = False
    # Channel health (issue 17): the token that opens /healthz?detail=1 to a monitor (owners need only log in),
    # and how old a row waiting in the outbox may grow before it is an incident.
    health_token: str | None = _secret()
    outbox_alert_minutes: int = 10
    # How long a claimed timer or outbox row (and an event stored but not handled) belongs to the process
    # that took it: after a crash, another process or instance takes it over once this has passed.
    lease_seconds: int = 60
    account_tokens: Mapping[str, AccountTokens] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("secret"):
                shown.append(f"{f.name}={_mask(value)}")
            elif f.name == "database_url":
                shown.append(f"{f.name}={redact_url(value)!r}")
            elif f.name == "account_tokens":
                shown.append(f"{f.name}=<{len(value)} accounts>")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file of DM_BOT_DATABASE_URL, or None for PostgreSQL."""
        return sqlite_path(self.database_url)

    def channel_token(self, channel: str, account_id: str) -> str | None:
        """The token to send on a channel for an account: the secrets file's, else the single-spa variable's."""
        key = _TOKEN_OF_CHANNEL.get(channel)
        if key is None:
            return None
        tokens = self.account_tokens.get(account_id)
        from_file: str | None = None if tokens is None else getattr(tokens, key)
        fallback: str | None = getattr(self, key)
        return from_file or fallback

    def booking_secret_for(self, account_id: str) -> str | None:
        """The shared secret a booking system sends for an account: the secrets file's, else DM_BOT_BOOKING_SECRET."""
        tokens = self.account_tokens.get(account_id)
        return (None if tokens is None else tokens.booking_secret) or self.booking_secret

    def touch_webhook_secret_for(self, account_id: str) -> str | None:
        """The secret that signs an account's outbound touch webhook: the secrets file's, else the variable's."""
        tokens = self.account_tokens.get(account_id)
        return (None if tokens is None else tokens.touch_webhook_secret) or self.touch_webhook_secret


def _mask(value: str | None) -> str:
    return "None" if value is None else "'***'"


def redact_url(url: str) -> str:
    """A database URL without its password, for logs and repr."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite+aiosqlite:///PATH` URL (relative to the working directory), else None."""
    if not url.startswith(SQLITE_PREFIX):
        return None
    return Path(url.removeprefix(SQLITE_PREFIX)).absolute()


def load_settings(env: Mapping[str, str]) -> Settings:
    """Settings from the given variables only (never os.environ); an empty value counts as unset."""
    _reject_typos(env)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "account_tokens":
            continue
        name = "DM_BOT_" + f.name.upper()
        raw = env.get(name, "").strip()
        if not raw:
            continue
        check = _CHECKS.get(f.name)
        try:
            values[f.name] = raw if check is None else check(raw)
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from None
    settings = Settings(**values)
    if settings.secrets_file is not None:
        try:
            tokens = read_secrets_file(settings.secrets_file)
        except ValueError as exc:
            raise SettingsError(f"DM_BOT_SECRETS_FILE: {settings.secrets_file}: {exc}") from None
        settings = Settings(**{**values, "account_tokens": MappingProxyType(tokens)})
    if not settings.playbooks_dir.is_dir():
        raise SettingsError(f"DM_BOT_PLAYBOOKS_DIR: {settings.playbooks_dir} is not a folder")
    return settings


def _reject_typos(env: Mapping[str, str]) -> None:
    """A DM_BOT_ variable that is nearly a known one is a typo; failing beats silently using the default."""
    known = ["DM_BOT_" + f.name.upper() for f in fields(Settings) if f.name != "account_tokens"]
    for name in sorted(env):
        if name.startswith("DM_BOT_") and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.85)
            if close:
                raise SettingsError(f"{name}: unknown setting; did you mean {close[0]}?")


def _database_url(raw: str) -> str:
    rest = raw.removeprefix(SQLITE_PREFIX) if raw.startswith(SQLITE_PREFIX) else raw.removeprefix(POSTGRES_PREFIX)
    if rest == raw:
        raise ValueError(f"must start with {SQLITE_PREFIX} or {POSTGRES_PREFIX}")
    if not rest:
        raise ValueError("names no database after the scheme")
    return raw


def _http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL with a host")
    return raw


def _base_url(raw: str) -> str:
    """Paths are appended to these: a trailing slash would double."""
    return _http_url(raw).rstrip("/")


def _chat_id(raw: str) -> str:
    if not _CHAT_ID.match(raw):
        raise ValueError("must be a chat id (an integer, negative for groups) or @channelname")
    return raw


def _bool(raw: str) -> bool:
    value = raw.lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError("must be true or false")
    return value in ("true", "1", "yes")


def _existing_file(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise ValueError(f"{raw} is not a file")
    return path


def _minutes(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 24 * 60:
        raise ValueError("must be a whole number of minutes from 1 to 1440")
    return int(raw)


def _seconds(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 3600:
        raise ValueError("must be a whole number of seconds from 1 to 3600")
    return int(raw)


_CHECKS: dict[str, Callable[[str], Any]] = {
    "lease_seconds": _seconds,
    "outbox_alert_minutes": _minutes,
    "database_url": _database_url,
    "playbooks_dir": Path,
    "graph_api_url": _base_url,
    "tiktok_api_url": _base_url,
    "telegram_api_url": _http_url,  # the token is appended right after `/bot`
    "public_url": _base_url,
    "telegram_chat_id": _chat_id,
    "telegram_webhook": _bool,
    "trust_forwarded_proto": _bool,
    "secrets_file": _existing_file,
}


def read_secrets_file(path: Path) -> dict[str, AccountTokens]:
    """account_id -> tokens from JSON (*.json) or YAML; messages never quote a value (they are secrets)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {getattr(exc, 'strerror', None) or type(exc).__name__}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except yaml.MarkedYAMLError as exc:
        line = "" if exc.problem_mark is None else f"line {exc.problem_mark.line + 1}: "
        raise ValueError(f"{line}invalid YAML: {exc.problem}") from None
    except yaml.YAMLError:
        raise ValueError("invalid YAML") from None
    if not isinstance(data, dict):
        raise ValueError("must be a mapping of account id -> {meta_page_token, tiktok_access_token, booking_secret}")
    return {str(account): _account_tokens(str(account), entry) for account, entry in data.items()}


def _account_tokens(account: str, entry: object) -> AccountTokens:
    if not isinstance(entry, dict):
        raise ValueError(f"{account}: must be a mapping with meta_page_token and/or tiktok_access_token")
    unknown = sorted(str(key) for key in entry if key not in TOKEN_KEYS)
    if unknown:
        raise ValueError(f"{account}.{unknown[0]}: unknown field (known: {', '.join(TOKEN_KEYS)})")
    for key, value in entry.items():
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise ValueError(f"{account}.{key}: must be a non-empty text")
    return AccountTokens(**{key: None if value is None else value.strip() for key, value in entry.items()})
