"""No request makes a 500: hostile bodies (deep nesting, 5,000-digit numbers, "²" for a number) and dates
(year 1) on the webhooks and forms, and hypothesis-fuzzed bodies and queries on every webhook and form route,
over real HTTP. The Telegram webhook's own cases are in tests/staff_chat/test_telegram_fuzz.py."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from apphelpers import META_SECRET, TIKTOK_SECRET, running_app, settings_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inbox_support import StaffClient, add_user

from dm_bot.channels import sign_meta
from dm_bot.channels.signatures import sign_tiktok

BOOKING_SECRET = "booking-secret-1"
DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = b'{"value": ' + b"9" * 5000 + b', "token": "x"}'
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
# Objects with the fields the routes read, holding anything.
FIELDS = ("conversation_id", "token", "contact", "treatment", "value", "time", "booking_id", "account",
          "object", "entry", "event", "update_id", "message", "content", "username", "password", "text", "next")
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6).map(lambda v: json.dumps(v).encode()),
)
forms = st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=40), max_size=6)
queries = st.dictionaries(st.sampled_from(("since", "until", "days", "account", "channel", "priority", "q", "next")),
                          st.text(max_size=30), max_size=4)


@dataclass
class Site:
    url: str
    http: aiohttp.ClientSession
    staff: StaffClient  # an owner, logged in, with the session's CSRF token


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with running_app(settings_env(tmp_path, DM_BOT_BOOKING_SECRET=BOOKING_SECRET)) as app, \
            aiohttp.ClientSession() as http, StaffClient(app.url) as staff:
        await add_user(app.app, "olga", "owner")
        assert await staff.login("olga") == 303
        yield Site(app.url, http, staff)


async def _post(site: Site, path: str, body: bytes, headers: dict[str, str]) -> int:
    async with site.http.post(site.url + path, data=body, headers=headers) as response:
        return response.status


def _booking_headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Booking-Secret": BOOKING_SECRET}


async def test_the_booking_webhook_refuses_a_body_without_the_secret_before_reading_it(site: Site) -> None:
    for body in (DEEP, HUGE, b'{"token": "x"}'):
        assert await _post(site, "/webhooks/booking", body, {"Content-Type": "application/json"}) == 403
        assert await _post(site, "/webhooks/booking", body, {"X-Booking-Secret": "wrong"}) == 403


async def test_the_booking_webhook_answers_hostile_bodies_with_the_secret_with_400(site: Site) -> None:
    for body in (DEEP, HUGE, b'{"conversation_id": "\xc2\xb2"}', b'{"conversation_id": "' + b"9" * 40 + b'"}',
                 b'{"conversation_id": 99999999999999999999999}', b'{"value": 1e999, "token": "x"}'):
        assert await _post(site, "/webhooks/booking", body, _booking_headers()) == 400, body[:40]


async def test_stats_of_year_one_or_year_9999_is_a_page_with_an_error_not_a_crash(site: Site) -> None:
    for query in ("until=0001-01-01", "since=0001-01-01", "since=9999-12-31&until=9999-12-31",
                  "until=0001-01-01T00:00:00%2B14:00", "days=3660"):
        for path in ("/stats", "/stats/export.csv"):
            status, body, _ = await site.staff.get(f"{path}?{query}")
            assert status in (200, 400), (path, query)
            if path == "/stats" and "days" not in query:
                assert "between the years" in body


async def test_the_meta_and_tiktok_webhooks_answer_signed_hostile_bodies_without_a_500(site: Site) -> None:
    for body in (DEEP, HUGE):
        meta = {"Content-Type": "application/json", "X-Hub-Signature-256": sign_meta(META_SECRET, body)}
        assert await _post(site, "/webhooks/meta", body, meta) == 400
        tiktok = {"Content-Type": "application/json",
                  "TikTok-Signature": sign_tiktok(TIKTOK_SECRET, body, int(time.time()))}
        assert await _post(site, "/webhooks/tiktok", body, tiktok) < 500


@FUZZ
@given(body=bodies)
async def test_fuzzed_bodies_on_every_webhook_never_make_a_500(site: Site, body: bytes) -> None:
    signed = {
        "/webhooks/meta": {"X-Hub-Signature-256": sign_meta(META_SECRET, body)},
        "/webhooks/tiktok": {"TikTok-Signature": sign_tiktok(TIKTOK_SECRET, body, int(time.time()))},
        "/webhooks/booking": {"X-Booking-Secret": BOOKING_SECRET},
    }
    for path, headers in signed.items():
        for content_type in ("application/json", "application/x-www-form-urlencoded"):
            status = await _post(site, path, body, {**headers, "Content-Type": content_type})
            assert status < 500, (path, content_type, body[:80])


@FUZZ
@given(form=forms, cid=st.sampled_from(["1", "999999999999999999"]))
async def test_fuzzed_forms_on_every_form_route_never_make_a_500(site: Site, form: dict[str, str], cid: str) -> None:
    for path in ("/login", f"/inbox/{cid}/claim", f"/inbox/{cid}/reply", f"/inbox/{cid}/resolve",
                 f"/inbox/{cid}/resume", f"/inbox/{cid}/booking", "/logout"):
        status, _, _ = await site.staff.post(path, form, csrf=path != "/logout")
        assert status < 500, (path, form)
    async with site.http.post(site.url + "/login", data=form) as response:
        assert response.status < 500


@FUZZ
@given(query=queries)
async def test_fuzzed_queries_on_every_page_never_make_a_500(site: Site, query: dict[str, str]) -> None:
    for path in ("/stats", "/stats/export.csv", "/inbox", "/inbox/api/queue", "/login", "/webhooks/meta"):
        status, _, _ = await site.staff.get(path, params=query)
        assert status < 500, (path, query)
