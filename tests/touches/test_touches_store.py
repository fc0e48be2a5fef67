"""Touches written with the appointment event, suppressed when due, fired exactly once across two schedulers
(issue 18). On a real SQLite file and the real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from touchkit import NOW, Spa, demo

from dm_bot.pipeline.due_list import due_list
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.testing import FakeClock
from dm_bot.store import codec


@pytest.fixture
async def spa(database_url: str) -> AsyncIterator[Spa]:
    s = await Spa.open(database_url)
    yield s
    await s.close()


async def test_an_appointment_event_writes_its_touches_and_a_repeat_changes_nothing(spa: Spa) -> None:
    spa.pipeline.service.links = LinkSigner("https://dm.example.test", b"k" * 32)
    cid = await spa.writes("ana")
    booked = await spa.book("c-ana", "blvd-1", "scheduled", "neurotoxin", NOW + timedelta(days=4), cid)
    assert booked.patient_id is not None
    pid = booked.patient_id
    before = await spa.all_touches()
    assert [(t["kind"], t["state"], t["due_at"]) for t in before] == [("confirmation", "pending", codec.to_us(NOW))]
    again = await spa.book("c-ana", "blvd-1", "scheduled", "neurotoxin", NOW + timedelta(days=4), cid)
    assert not again.changed and await spa.all_touches() == before

    [fired] = await spa.pipeline.service.run_due_touches()  # she wrote a minute ago: the window is open
    assert (fired.state, fired.route) == ("sent", "bot_dm")
    sent = spa.channels["instagram"].sent[-1]
    assert sent.text.startswith("Hi Ana! You're booked for") and "https://dm.example.test/b/" in sent.text
    [link] = await spa.store.links_of(cid)
    assert link.url == spa.pb.links.reschedule == "https://book.example-glow.test/my-appointments"
    assert link.token in sent.text
    touch = (await spa.touches(pid))["confirmation"]
    assert (touch["state"], touch["route"], touch["text"]) == ("sent", "bot_dm", sent.text)
    assert await spa.pipeline.service.run_due_touches() == []  # once

    spa.clock.advance(timedelta(hours=1))  # moved: the confirmation again, for the new time
    await spa.book("c-ana", "blvd-1", "rescheduled", "neurotoxin", NOW + timedelta(days=6), cid)
    assert (await spa.touches(pid))["confirmation"]["state"] == "pending"
    await spa.book("c-ana", "blvd-1", "cancelled", "neurotoxin", NOW + timedelta(days=6), cid)
    confirmation = (await spa.touches(pid))["confirmation"]
    assert (confirmation["state"], confirmation["reason"]) == ("cancelled", "cancelled")


async def test_a_completed_visit_plans_its_follow_ups_and_a_new_booking_cancels_them(spa: Spa) -> None:
    done = await spa.book("c-bo", "blvd-2", "completed", "neurotoxin", NOW - timedelta(hours=2))
    assert done.patient_id is not None
    planned = await spa.touches(done.patient_id)
    assert {k: t["state"] for k, t in planned.items()} == {"check_in": "pending", "recall": "pending",
                                                          "win_back": "pending"}
    await spa.book("c-bo", "blvd-3", "scheduled", "neurotoxin", NOW + timedelta(days=60))
    after = await spa.touches(done.patient_id)
    assert (after["recall"]["state"], after["recall"]["reason"]) == ("cancelled", "booked_again")
    assert (after["win_back"]["state"], after["win_back"]["reason"]) == ("cancelled", "booked_again")
    assert after["check_in"]["state"] == "pending"


async def test_an_import_of_history_creates_only_touches_still_ahead_or_due_soon(spa: Spa) -> None:
    old = await spa.book("c-old", "imp-1", "completed", "neurotoxin", NOW - timedelta(days=800))
    recent = await spa.book("c-new", "imp-2", "completed", "neurotoxin", NOW - timedelta(days=100))
    assert old.patient_id is not None and recent.patient_id is not None
    assert await spa.touches(old.patient_id) == {}
    assert set(await spa.touches(recent.patient_id)) == {"recall", "win_back"}


async def test_each_suppression_reason_skips_the_touch_with_its_reason(spa: Spa) -> None:
    visit = NOW - timedelta(days=105)  # the recall is due now
    patients: dict[str, int] = {}
    for who in ("none", "opted_out", "said_stop", "do_not_contact", "booked_again", "open_complaint",
                "open_medical", "cooldown"):
        cid = await spa.writes(who)
        result = await spa.book(f"c-{who}", f"b-{who}", "completed", "neurotoxin", visit, cid)
        assert result.patient_id is not None
        patients[who] = result.patient_id
        if who == "said_stop":
            await spa.writes(who, "stop")
        if who == "open_complaint":
            await spa.writes(who, "you ruined my lips")
        if who == "open_medical":
            await spa.writes(who, "my lip turned purple after filler")
        if who == "booked_again":  # recorded without planning: the fire-time check must catch it
            await spa.book(f"c-{who}", f"b-{who}-2", "scheduled", "neurotoxin", NOW + timedelta(days=3), plan=False)
        if who == "cooldown":
            await spa.add_touch(result.patient_id, result.booking_id, "check_in", NOW - timedelta(days=3),
                                state="sent", fired_at=NOW - timedelta(days=3))
    db = spa.store.db
    await db.execute("UPDATE patients SET opted_out_at = :t WHERE id = :p",
                     {"t": codec.to_us(NOW), "p": patients["opted_out"]})
    await db.execute("UPDATE patients SET do_not_contact = 1 WHERE id = :p", {"p": patients["do_not_contact"]})
    expected = {"opted_out": "opted_out", "said_stop": "opted_out", "do_not_contact": "do_not_contact",
                "booked_again": "booked_again", "open_complaint": "open_complaint", "open_medical": "open_medical",
                "cooldown": "cooldown"}
    listed = {i.patient_id: i for i in await due_list(spa.store, spa.pb, NOW) if i.kind == "recall"}
    assert {who: listed[pid].suppressed for who, pid in patients.items()} == {**expected, "none": None}
    assert listed[patients["none"]].route == "bot_dm"  # what would happen now: her window is open
    sent_before = len(spa.channels["instagram"].sent)
    await spa.pipeline.service.run_due_touches()
    got = {who: (await spa.touches(pid))["recall"] for who, pid in patients.items()}
    for who, reason in expected.items():
        assert (got[who]["state"], got[who]["reason"], got[who]["text"]) == ("skipped", reason, None), who
    assert (got["none"]["state"], got["none"]["route"]) == ("sent", "bot_dm")
    recalls = [m for m in spa.channels["instagram"].sent[sent_before:] if "touch-up" in m.text]
    assert [m.contact_id for m in recalls] == ["none"]  # never to a suppressed patient


async def test_two_schedulers_fire_each_touch_exactly_once(database_url: str) -> None:
    pb = demo(outbound_webhook="http://127.0.0.1:9/unused")  # each fired touch writes one webhook row
    clock = FakeClock(NOW)
    first, second = await Spa.open(database_url, pb, clock), await Spa.open(database_url, pb, clock)
    try:
        for n in range(40):
            await first.book(f"c{n}", f"b{n}", "completed", "neurotoxin", NOW - timedelta(days=105))
        fired = await asyncio.gather(first.pipeline.service.run_due_touches(),
                                     second.pipeline.service.run_due_touches())
        assert len(fired[0]) + len(fired[1]) == 40
        rows = await first.store.db.fetch("SELECT payload FROM outbox WHERE kind = 'webhook'")
        assert len(rows) == 40 and len({r["payload"] for r in rows}) == 40
        states = {t["state"] for t in await first.all_touches() if t["kind"] == "recall"}
        assert states == {"due"}

        # A claimer whose lease ran out finds the touch taken over and finished: it writes nothing.
        late = await first.book("late", "b-late", "completed", "neurotoxin", NOW - timedelta(days=105))
        ids = await first.store.claim_due_touches(clock.now())
        clock.advance(timedelta(seconds=61))
        assert await second.store.claim_due_touches(clock.now()) == ids
        [(tid, account)] = ids
        assert await second.pipeline.service.fire_touch(tid, account, clock.now()) is not None
        assert await first.pipeline.service.fire_touch(tid, account, clock.now()) is None
        assert late.patient_id is not None
        assert len(await first.store.db.fetch("SELECT id FROM outbox WHERE kind = 'webhook'")) == 41
    finally:
        await first.close()
        await second.close()
