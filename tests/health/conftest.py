"""Fixtures for channel health: the fake Graph and TikTok servers on loopback, a real aiohttp client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from fakes.graph import FakeGraph
from fakes.tiktok import FakeTikTok
from health_support import TOKENS, TT


async def _serve(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    fake = FakeGraph(TOKENS)
    server = await _serve(fake.app())
    yield fake, str(server.make_url("/v23.0"))
    fake.failures.release()
    await server.close()


@pytest.fixture
async def tiktok() -> AsyncIterator[tuple[FakeTikTok, str]]:
    fake = FakeTikTok({TT: "tt-token"})
    server = await _serve(fake.app())
    yield fake, str(server.make_url("/open_api/v1.3"))
    fake.failures.release()
    await server.close()
