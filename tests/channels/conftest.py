"""Fixtures for the channel adapters: a real aiohttp client against the fake Graph and TikTok servers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from fakes.graph import FakeGraph
from fakes.tiktok import FakeTikTok


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def _serve(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    """The fake Graph API and its base URL; page-1 and ig-1 each have their own token."""
    fake = FakeGraph({"page-1": "page-token-1", "ig-1": "ig-token-1"})
    server = await _serve(fake.app())
    yield fake, str(server.make_url("/v23.0"))
    fake.failures.release()
    await server.close()


@pytest.fixture
async def tiktok() -> AsyncIterator[tuple[FakeTikTok, str]]:
    fake = FakeTikTok({"biz-1": "tt-token-1"})
    server = await _serve(fake.app())
    yield fake, str(server.make_url("/open_api/v1.3"))
    fake.failures.release()
    await server.close()
