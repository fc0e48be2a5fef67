"""Fixtures of the web tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fakes.graph import FakeGraph
from serve_support import running_graph


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    """A fake Graph API on loopback for the demo spa's Instagram account, and its base URL."""
    async with running_graph() as running:
        yield running
