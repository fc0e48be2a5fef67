"""The routes of a due touch (issue 18): a bot DM only inside the platform's window (the clock driven across
the 24-hour and 48-hour edges on every channel), else the Due list and the spa's outbound webhook, signed and
retried through the outbox after a failing receiver (a real aiohttp server on loopback); `dm-bot patients
due` in both forms."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from apphelpers import settings_env
from touchkit import NOW, Spa, demo

from dm_bot.channels.touch_webhook import TouchWebhookSender
from dm_bot.commands.patients_due import run_due
from dm_bot.domain.models import Channel
from dm_bot.domain.touches import SEND_MARGIN
from dm_bot.settings import load_settings
from dm_bot.store import codec

SECRET = "touch-webhook-secret"


@pytest.mark.parametrize(("channel", "hours"), [("instagram", 24), ("messenger", 24), ("tiktok", 48)])
async def test_a_bot_touch_never_goes_out_outside_the_window(tmp_path: Path, channel: Channel, hours: int) -> None:
    spa = await Spa.open(f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}")
    try:
        cid = await spa.writes("ana", channel=channel)
        wrote = spa.clock.now()
        window = timedelta(hours=hours)
        # Touches fall due every 20 minutes from 3 hours before the window's edge to 1 hour after it.
        offsets = [window - timedelta(hours=3) + timedelta(minutes=20 * n) for n in range(13)]
        for n, offset in enumerate(offsets):
            booked = await spa.book("c-ana", f"old-{n}", "completed", "neurotoxin", NOW - timedelta(days=900 + n), cid)
            assert booked.patient_id is not None
            await spa.add_touch(booked.patient_id, booked.booking_id, "check_in", wrote + offset)
        await spa.step(wrote + window + timedelta(hours=2), timedelta(minutes=5))
        touches = [t for t in await spa.all_touches() if t["kind"] == "check_in"]
        routes = {t["route"] for t in touches}
        assert routes == {"bot_dm", "due_list"} and all(t["state"] in ("sent", "due") for t in touches)
        for t in touches:
            fired = codec.from_us_required(t["fired_at"])
            if t["route"] == "bot_dm":
                assert fired + SEND_MARGIN <= wrote + window
            else:
                assert fired + SEND_MARGIN > wrote + window
        rows = await spa.store.db.fetch("SELECT status, sent_at FROM outbox WHERE conversation_id = :c"
                                        " AND kind = 'message'", {"c": cid})
        assert all(r["status"] == "sent" for r in rows)
        assert all(codec.from_us_required(r["sent_at"]) <= wrote + window for r in rows)  # every DM inside it
        bot_dms = [m for m in spa.channels[channel].sent if "How are you feeling" in m.text]
        assert len(bot_dms) == sum(1 for t in touches if t["route"] == "bot_dm") > 0
    finally:
        await spa.close()


async def test_tiktok_ten_messages_in_the_window_send_the_touch_to_the_due_list(tmp_path: Path) -> None:
    spa = await Spa.open(f"sqlite+aiosqlite:///{tmp_path / 't.sqlite3'}")
    try:
        cid = await spa.writes("tia", channel="tiktok")
        for n in range(12):
            await spa.store.db.execute(
                "INSERT INTO outbox (account_id, conversation_id, kind, payload, created_at, next_attempt_at, status,"
                " sent_at) VALUES (:a, :c, 'message', '{}', :t, :t, 'sent', :t)",
                {"a": spa.pb.account_id, "c": cid, "t": codec.to_us(NOW) + n})
        booked = await spa.book("c-tia", "b1", "completed", "neurotoxin", NOW - timedelta(days=900), cid)
        assert booked.patient_id is not None
        await spa.add_touch(booked.patient_id, booked.booking_id, "check_in", NOW)
        [fired] = await spa.pipeline.service.run_due_touches()
        assert (fired.state, fired.route) == ("due", "due_list")
    finally:
        await spa.close()


class Receiver:
    """A spa's SMS tool on loopback: fails the first `failures` POSTs with a 500, then takes them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((dict(request.headers), await request.read()))
        if len(self.calls) <= self.failures:
            return web.Response(status=500)
        return web.json_response({"ok": True})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hooks = Receiver(failures=2)
    app = web.Application()
    app.router.add_post("/hook", hooks.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield hooks, f"http://127.0.0.1:{port}/hook"
    await runner.cleanup()


async def test_the_outbound_webhook_is_signed_and_retried_until_the_receiver_takes_it(
        tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    hooks, url = receiver
    spa = await Spa.open(f"sqlite+aiosqlite:///{tmp_path / 'h.sqlite3'}", demo(outbound_webhook=url))
    secrets: dict[str, str | None] = {"demo-spa": None}
    async with aiohttp.ClientSession() as session:
        spa.pipeline.service.delivery.webhooks = TouchWebhookSender(session, lambda account: secrets.get(account))
        try:
            booked = await spa.book("c-eva", "b1", "completed", "neurotoxin", NOW - timedelta(days=105))
            quits = await spa.book("c-quits", "b2", "completed", "neurotoxin", NOW - timedelta(days=105))
            assert booked.patient_id is not None
            fired, other = await spa.pipeline.service.run_due_touches()  # no conversation: the Due list, the webhook
            assert (fired.state, fired.route) == (other.state, other.route) == ("due", "due_list")
            assert fired.touch_id < other.touch_id
            await spa.step(NOW + timedelta(seconds=30), timedelta(seconds=5))
            assert hooks.calls == []  # without a secret nothing goes out unsigned; the rows wait
            await spa.store.db.execute("UPDATE patients SET opted_out_at = :t WHERE id = :p",
                                       {"t": codec.to_us(NOW), "p": quits.patient_id})  # she says stop meanwhile
            secrets["demo-spa"] = SECRET
            await spa.step(NOW + timedelta(minutes=10), timedelta(seconds=5))
            assert len(hooks.calls) == 3  # two 500s, then taken; never hers, who opted out before it went
            bodies = {body for _, body in hooks.calls}
            assert len(bodies) == 1
            headers, body = hooks.calls[-1]
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            assert headers["X-DM-Bot-Signature"] == expected
            assert headers["X-DM-Bot-Delivery"] == f"touch-{fired.touch_id}"
            payload: dict[str, Any] = json.loads(body)
            assert (payload["type"], payload["kind"], payload["touch_id"]) == ("touch.due", "recall", fired.touch_id)
            assert payload["patient"]["name"] == "Ana Lopez" and "touch-up" in payload["text"]
            recall = (await spa.touches(booked.patient_id))["recall"]
            assert recall["webhook_at"] is not None and recall["state"] == "due"
            rows = await spa.store.db.fetch("SELECT status, error FROM outbox WHERE kind = 'webhook' ORDER BY id")
            assert [(r["status"], r["error"]) for r in rows] == [("sent", None), ("failed", "not sent: opted_out")]
        finally:
            await spa.close()


async def test_patients_due_prints_the_due_list_as_a_table_and_as_json(tmp_path: Path) -> None:
    settings = load_settings(settings_env(tmp_path))
    spa = await Spa.open(settings.database_url)
    try:
        cid = await spa.writes("ana")
        await spa.book("c-ana", "b1", "completed", "neurotoxin", NOW - timedelta(days=105), cid, name="Ana Lopez")
        await spa.book("c-bea", "b2", "completed", "lip_filler", NOW - timedelta(days=2), name="Bea Cruz")
        dnc = await spa.book("c-cy", "b3", "completed", "neurotoxin", NOW - timedelta(days=104), name="Cy Dee")
        await spa.store.db.execute("UPDATE patients SET do_not_contact = 1 WHERE id = :p", {"p": dnc.patient_id})
        for who, text in (("dee", "stop"), ("eve", "you ruined my lips")):  # the account-wide sets of the list
            other = await spa.writes(who)
            await spa.writes(who, text)
            await spa.book(f"c-{who}", f"b-{who}", "completed", "neurotoxin", NOW - timedelta(days=100), other,
                           name=who.title())
    finally:
        await spa.close()
    out, err = io.StringIO(), io.StringIO()
    assert await run_due(settings, None, False, out, err, now=NOW) == 0
    text = out.getvalue()
    assert text.startswith("demo-spa: 5 follow-up(s), 1 due now (America/Chicago)")
    lines = text.splitlines()
    assert lines[1].split() == ["due", "kind", "patient", "treatment", "state", "route", "suppressed"]
    assert "recall" in lines[2] and "Ana Lopez" in lines[2] and "bot_dm" in lines[2]
    assert "Cy Dee" in lines[3] and "do_not_contact" in lines[3]  # due tomorrow, and held back
    assert "check_in" in lines[4] and "Bea Cruz" in lines[4] and "due_list" in lines[4]  # no conversation
    out = io.StringIO()
    assert await run_due(settings, "demo-spa", True, out, err, now=NOW) == 0
    data = json.loads(out.getvalue())
    got = [(t["kind"], t["patient"]["name"], t["state"], t["route"], t["suppressed"]) for t in data["touches"]]
    assert got == [("recall", "Ana Lopez", "pending", "bot_dm", None),
                   ("recall", "Cy Dee", "pending", None, "do_not_contact"),
                   ("check_in", "Bea Cruz", "pending", "due_list", None),
                   ("recall", "Dee", "pending", None, "opted_out"),
                   ("recall", "Eve", "pending", None, "open_complaint")]
    assert await run_due(settings, "nope", True, out, err, now=NOW) == 2
    assert "unknown account 'nope'" in err.getvalue()


async def test_a_bot_touch_the_platform_refuses_for_good_moves_to_the_due_list_and_the_webhook(
        tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    from dm_bot.pipeline.records import SendResult

    hooks, url = receiver
    spa = await Spa.open(f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}", demo(outbound_webhook=url))
    async with aiohttp.ClientSession() as session:
        spa.pipeline.service.delivery.webhooks = TouchWebhookSender(session, lambda account: SECRET)
        try:
            cid = await spa.writes("rey", channel="messenger")
            booked = await spa.book("c-rey", "old-1", "completed", "neurotoxin", NOW - timedelta(days=900), cid)
            assert booked.patient_id is not None
            await spa.add_touch(booked.patient_id, booked.booking_id, "check_in", spa.clock.now() + timedelta(hours=1))
            refused = SendResult(ok=False, error="(#10) sent outside the allowed window", retry=False,
                                 error_class="window")
            spa.channels["messenger"].fail_always(refused)
            escalations_before = len(await spa.store.db.fetch("SELECT id FROM escalations"))
            await spa.step(spa.clock.now() + timedelta(hours=2), timedelta(minutes=10))
            (touch,) = [t for t in await spa.all_touches() if t["kind"] == "check_in"]
            assert (touch["state"], touch["route"]) == ("due", "due_list")  # not counted as sent: it was not
            assert touch["reason"] == "the platform refused the DM (window)"
            assert [t.id for t in await spa.store.due_touches([spa.pb.account_id])] == [touch["id"]]
            # the Due list and the spa's SMS tool are where a person takes it: no VA escalation for a follow-up
            assert len(await spa.store.db.fetch("SELECT id FROM escalations")) == escalations_before
            payload = json.loads(hooks.calls[-1][1])  # after the receiver's two 500s
            assert (payload["touch_id"], payload["kind"], payload["text"]) == (touch["id"], "check_in", touch["text"])
            again = {t["id"]: t for t in await spa.all_touches()}[touch["id"]]
            assert again["webhook_at"] is not None and again["state"] == "due"
        finally:
            await spa.close()
