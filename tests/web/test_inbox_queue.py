"""The queue at /inbox over real HTTP: order, facts, filters, search, live JSON, accounts, escaping, secrets."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from apphelpers import ROOT, running_app, settings_env
from inbox_support import LAKESIDE_IG, InboxClassifier, StaffClient, add_user, eventually, meta_dm, post_signed

from dm_bot.app import STORE
from dm_bot.pipeline.testing import FakeChannel
from dm_bot.store import SqlStore
from dm_bot.web.keys import SERVICE

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def card_order(page: str) -> list[str]:
    return re.findall(r'<span class="badge prio-(\w+)">', page)


async def queued(store: SqlStore, n: int) -> None:
    async def enough() -> bool:
        return len(await store.open_escalations()) >= n

    await eventually(enough)


async def test_queue_shows_urgent_first_with_reason_channel_clocks_and_lead_facts(tmp_path: Path) -> None:
    # a channel that delivers: with none configured every reply fails and queues "reply not delivered" (issue 17)
    async with running_app(settings_env(tmp_path), classifier=InboxClassifier(),
                           channels={"instagram": FakeChannel()}) as app, \
            StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        assert await post_signed(app, meta_dm("m1", "this was awful service", sender="p-complaint")) == 200
        assert await post_signed(app, meta_dm("m2", "how much is botox", sender="p-urgent")) == 200
        assert await post_signed(app, meta_dm("m3", "my lip is purple after botox", sender="p-urgent")) == 200
        await queued(app.app[STORE], 2)
        await client.login("ana")
        status, page, _ = await client.get("/inbox")
    assert status == 200
    assert card_order(page) == ["urgent", "high"]
    assert "Medical emergency" in page and "Complaint" in page and "Instagram" in page
    assert "Glow Aesthetics Demo Spa" in page
    assert re.search(r'data-sla="ok">1[0-5] min left<', page)  # urgent: 15 minutes on the wall clock
    assert "Window closes in 23 h" in page
    assert "Botox &amp; Dysport" in page and "up to $500" in page  # the lead's facts from the earlier message
    assert page.count("Unclaimed") == 2


async def test_filters_and_search_narrow_the_queue(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path), classifier=InboxClassifier()) as app, \
            StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await post_signed(app, meta_dm("m1", "this was awful service", sender="p-complaint"))
        await post_signed(app, meta_dm("m2", "I want a person please", sender="p-human"))
        await queued(app.app[STORE], 2)
        await client.login("ana")
        assert card_order((await client.get("/inbox?priority=high"))[1]) == ["high"]
        assert card_order((await client.get("/inbox?channel=tiktok"))[1]) == []
        assert "Nothing matches" in (await client.get("/inbox?channel=tiktok"))[1]
        assert card_order((await client.get("/inbox?q=PERSON+please"))[1]) == ["normal"]
        assert card_order((await client.get("/inbox?q=p-complaint"))[1]) == ["high"]
        assert card_order((await client.get("/inbox?priority=bogus&account=nope"))[1]) == ["high", "normal"]
        assert card_order((await client.get("/inbox?mine=1"))[1]) == []
        eid = next(r.escalation_id for r in await app.app[STORE].open_escalations() if r.priority == "normal")
        assert await app.app[SERVICE].claim(eid, "ana")
        assert card_order((await client.get("/inbox?mine=1"))[1]) == ["normal"]


async def test_live_json_brings_a_new_escalation_without_a_reload(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await client.login("ana")
        page = (await client.get("/inbox"))[1]
        version = re.search(r'data-version="(\w+)"', page)
        assert version and "All clear" in page
        await post_signed(app, meta_dm("m1", "my lip is purple"))
        await queued(app.app[STORE], 1)
        async with client.session.get(f"{app.url}/inbox/api/queue",
                                      headers={"Accept": "application/json"}) as response:
            data = await response.json()
    assert data["count"] == 1 and data["version"] != version.group(1)
    assert data["items"][0]["priority"] == "urgent" and data["items"][0]["sla"]["state"] == "ok"
    assert 'class="card prio-urgent"' in data["parts"]["queue"]


async def test_prospect_html_is_shown_as_text_on_every_page_and_in_live_parts(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        assert await post_signed(app, meta_dm("m1", f"my lip is purple {HOSTILE}")) == 200
        await queued(app.app[STORE], 1)
        cid = (await app.app[STORE].open_escalations())[0].conversation_id
        await client.login("ana")
        pages = [(await client.get(path))[1] for path in ("/inbox", f"/inbox/{cid}")]
        for path in ("/inbox/api/queue", f"/inbox/api/conversations/{cid}"):
            async with client.session.get(app.url + path) as response:
                assert response.content_type == "application/json"  # data, never sniffed as a page (nosniff)
                pages += (await response.json())["parts"].values()
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[1]


async def test_a_va_of_one_spa_never_sees_the_other_spas_conversations(tmp_path: Path) -> None:
    (tmp_path / "playbooks").mkdir()
    for name in ("demo-spa.yaml", "lakeside-spa.yaml"):
        shutil.copy(ROOT / "playbooks" / name, tmp_path / "playbooks")
    async with running_app(settings_env(tmp_path)) as app:
        await add_user(app.app, "ana", accounts=["demo-spa"])
        await add_user(app.app, "root", role="admin")
        await post_signed(app, meta_dm("m1", "my lip is purple", sender="p-demo"))
        await post_signed(app, meta_dm("m2", "my lip is purple", sender="p-lake", account=LAKESIDE_IG))
        await queued(app.app[STORE], 2)
        rows = {r.account_id: r for r in await app.app[STORE].open_escalations()}
        theirs = rows["lakeside-spa"].conversation_id
        async with StaffClient(app.url) as ana:
            await ana.login("ana")
            queue = (await ana.get("/inbox"))[1]
            assert "Glow Aesthetics Demo Spa" in queue and "Lakeside" not in queue
            assert (await ana.get(f"/inbox/{theirs}"))[0] == 404
            assert (await ana.get(f"/inbox/api/conversations/{theirs}"))[0] == 404
            assert (await ana.post(f"/inbox/{theirs}/claim"))[0] == 404
            assert (await ana.post(f"/inbox/{theirs}/reply", {"text": "hello"}))[0] == 404
        assert rows["lakeside-spa"].claimed_by is None
        assert [r.claimed_by for r in await app.app[STORE].open_escalations()] == [None, None]
        async with StaffClient(app.url) as root:
            await root.login("root")
            queue = (await root.get("/inbox"))[1]
            assert "Lakeside Aesthetics Demo" in queue and 'name="account"' in queue


async def test_no_secret_appears_in_any_staff_page(tmp_path: Path) -> None:
    secrets = {"DM_BOT_SECRET_KEY": "secret-key-0123456789abcdef", "DM_BOT_META_PAGE_TOKEN": "page-token-secret-xyz",
               "DM_BOT_TIKTOK_ACCESS_TOKEN": "tiktok-token-secret-xyz"}
    async with running_app(settings_env(tmp_path, **secrets)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await post_signed(app, meta_dm("m1", "my lip is purple"))
        await queued(app.app[STORE], 1)
        cid = (await app.app[STORE].open_escalations())[0].conversation_id
        pages = [(await client.get("/login"))[1]]
        await client.login("ana")
        for path in ("/inbox", f"/inbox/{cid}", "/inbox/api/queue", f"/inbox/api/conversations/{cid}"):
            pages.append((await client.get(path))[1])
    hidden = [*secrets.values(), "test-app-secret", "test-tiktok-secret", "verify-me"]
    for page in pages:
        assert not [s for s in hidden if s in page]
