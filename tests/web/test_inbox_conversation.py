"""A conversation at /inbox/{id} over real HTTP: the thread, claim, reply through the channel, resolve, hand back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from apphelpers import RunningApp, running_app, settings_env
from fakes.graph import FakeGraph
from inbox_support import StaffClient, add_user, eventually, meta_dm, post_signed

from dm_bot.app import STORE
from dm_bot.pipeline.testing import FakeChannel, FakeClock
from dm_bot.store import SqlStore
from dm_bot.web.keys import CLOCK


async def escalated(app: RunningApp, text: str = "my lip is purple", image_url: str | None = None) -> int:
    """Send a DM through the signed webhook; the id of the conversation once it is in the queue."""
    assert await post_signed(app, meta_dm("m1", text, image_url=image_url)) == 200
    store: SqlStore = app.app[STORE]

    async def in_queue() -> bool:
        return bool(await store.open_escalations())

    await eventually(in_queue)
    return (await store.open_escalations())[0].conversation_id


async def test_thread_tells_prospect_and_bot_apart_and_names_media_without_showing_it(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        cid = await escalated(app, "is this normal?", image_url="https://cdn.example.test/lip.jpg")
        await client.login("ana")
        status, page, _ = await client.get(f"/inbox/{cid}")
    assert status == 200
    assert 'class="msg msg-prospect"' in page and 'class="msg msg-bot"' in page
    assert "Photo attached" in page
    assert "cdn.example.test" not in page and "<img" not in page and "<video" not in page
    assert "What the bot did" in page and "Escalate" in page


async def test_claim_is_mine_and_another_va_cannot_take_it(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app:
        await add_user(app.app, "ana")
        await add_user(app.app, "bo")
        cid = await escalated(app)
        async with StaffClient(app.url) as ana, StaffClient(app.url) as bo:
            await ana.login("ana")
            await bo.login("bo")
            await bo.get(f"/inbox/{cid}")
            status, _, response = await ana.post(f"/inbox/{cid}/claim")
            assert (status, response.headers["Location"]) == (303, f"/inbox/{cid}?done=claimed")
            _, _, response = await bo.post(f"/inbox/{cid}/claim")
            assert response.headers["Location"] == f"/inbox/{cid}?error=taken"
            page = (await bo.get(response.headers["Location"]))[1]
            assert "Claimed by <strong>ana</strong>" in page and "Someone else claimed" in page
        assert (await app.app[STORE].open_escalations())[0].claimed_by == "ana"


async def test_staff_reply_reaches_graph_as_a_human_agent_message_stops_the_clock_and_pauses_the_bot(
    tmp_path: Path, graph: tuple[FakeGraph, str]
) -> None:
    fake, url = graph
    env = settings_env(tmp_path, DM_BOT_GRAPH_API_URL=url, DM_BOT_META_PAGE_TOKEN="page-token")
    async with running_app(env) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        cid = await escalated(app)
        await eventually(lambda: len(fake.accepted) == 1)  # the bot's own holding reply
        await client.login("ana")
        await client.get(f"/inbox/{cid}")
        status, _, response = await client.post(f"/inbox/{cid}/reply", {"text": "Hi, this is Ana, a nurse."})
        assert (status, response.headers["Location"]) == (303, f"/inbox/{cid}?done=replied")
        page = (await client.get(response.headers["Location"]))[1]
        snap = await app.app[STORE].snapshot(cid)
        queue_row = (await app.app[STORE].open_escalations())[0]
    sent = fake.accepted[-1].body
    assert sent["message"]["text"] == "Hi, this is Ana, a nurse."
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert 'data-sla="done">Answered in' in page and 'data-bot="Bot paused"' in page
    assert 'class="msg msg-staff"' in page and "Reply sent." in page
    assert '<span class="msg-who">Staff · ana</span>' in page  # the thread says which VA wrote it
    assert snap.state.is_paused(datetime.now(UTC)) and queue_row.first_human_reply_at is not None
    assert queue_row.claimed_by == "ana"  # whoever answers holds it


async def test_a_reply_too_long_for_one_instagram_message_goes_out_as_several_in_order(
    tmp_path: Path, graph: tuple[FakeGraph, str]
) -> None:
    fake, url = graph
    env = settings_env(tmp_path, DM_BOT_GRAPH_API_URL=url, DM_BOT_META_PAGE_TOKEN="page-token")
    paragraphs = [f"Paragraph {n}: " + "we will look after you and explain every step of the visit. " * 9
                  for n in range(1, 4)]  # ~560 bytes each: Instagram takes 1000 a message
    async with running_app(env) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        cid = await escalated(app)
        await eventually(lambda: len(fake.accepted) == 1)
        await client.login("ana")
        await client.get(f"/inbox/{cid}")
        status, _, _ = await client.post(f"/inbox/{cid}/reply", {"text": "\n\n".join(paragraphs)})
        assert status == 303
        await eventually(lambda: len(fake.accepted) == 4)
    sent = [r.body for r in fake.accepted[1:]]
    assert [m["message"]["text"] for m in sent] == [p.strip() for p in paragraphs]
    assert all(m["tag"] == "HUMAN_AGENT" and len(m["message"]["text"].encode()) <= 1000 for m in sent)


async def test_reply_past_the_platforms_window_is_refused_with_the_reason_and_nothing_is_sent(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    channel = FakeChannel()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}, clock=clock) as app, \
            StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        cid = await escalated(app)
        await eventually(lambda: len(channel.sent) == 1)
        clock.advance(timedelta(days=8))
        await client.login("ana")
        status, page, _ = await client.post(f"/inbox/{cid}/reply", {"text": "Sorry for the wait!"})
    assert status == 409
    assert "Not sent: outside the 7-day human agent window." in page
    assert ">Sorry for the wait!</textarea>" in page  # the draft is kept
    assert "No message can go out now: outside the 7-day human agent window." in page
    assert len(channel.sent) == 1


async def test_empty_reply_is_refused(tmp_path: Path) -> None:
    channel = FakeChannel()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app, \
            StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        cid = await escalated(app)
        await client.login("ana")
        status, page, _ = await client.post(f"/inbox/{cid}/reply", {"text": "   "})
    assert status == 400 and "Write a reply first." in page


async def test_resolve_leaves_the_queue_and_hand_back_wakes_the_bot(tmp_path: Path) -> None:
    channel = FakeChannel()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app, \
            StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        cid = await escalated(app)
        await client.login("ana")
        await client.get(f"/inbox/{cid}")
        await client.post(f"/inbox/{cid}/reply", {"text": "We are on it."})
        assert (await app.app[STORE].snapshot(cid)).state.is_paused(app.app[CLOCK].now())
        _, _, response = await client.post(f"/inbox/{cid}/resume")
        assert response.headers["Location"] == f"/inbox/{cid}?done=resumed"
        assert not (await app.app[STORE].snapshot(cid)).state.is_paused(app.app[CLOCK].now())
        _, _, response = await client.post(f"/inbox/{cid}/resolve")
        assert response.headers["Location"] == f"/inbox/{cid}?done=resolved"
        assert await app.app[STORE].open_escalations() == []
        assert "All clear" in (await client.get("/inbox"))[1]
        assert "Not in the queue" in (await client.get(f"/inbox/{cid}"))[1]


async def test_unknown_conversation_is_404(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await client.login("ana")
        assert (await client.get("/inbox/424242"))[0] == 404
        assert (await client.get("/inbox/api/conversations/424242"))[0] == 404
