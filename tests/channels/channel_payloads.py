"""The shared webhook fixtures of /work/shared/payloads, and the wrapping the payloads README asks for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# The shared fixtures live beside the repository (/work/shared/payloads next to /work/main).
PAYLOADS = Path(__file__).resolve().parents[2] / ".." / "shared" / "payloads"


def payload_dir() -> Path:
    if not PAYLOADS.is_dir():
        pytest.skip(f"shared payloads not found at {PAYLOADS}")
    return PAYLOADS


def load_payload(name: str) -> Any:
    return json.loads((payload_dir() / name).read_bytes())


def as_meta_body(item: dict[str, Any], object_: str = "page", account: str = "page-1") -> bytes:
    """`_item_` fixtures hold one messaging element: wrap it as Meta would deliver it (payloads README)."""
    return json.dumps({"object": object_, "entry": [{"id": account, "time": 1, "messaging": [item]}]}).encode()
