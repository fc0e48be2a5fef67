"""Where people look: the banner on the inbox and stats pages, /healthz cheap and ?detail=1 guarded,
/metrics with per-account health gauges. The service runs with no page token: every reply fails (auth)."""

from __future__ import annotations

import json
from pathlib import Path

from apphelpers import running_app, settings_env
from inbox_support import StaffClient, add_user, meta_dm, post_signed

from dm_bot.app import STORE
from dm_bot.web.keys import HEALTH_MONITOR, WORKER


async def test_a_rejected_token_shows_everywhere_people_look(tmp_path: Path) -> None:
    env = settings_env(tmp_path, DM_BOT_HEALTH_TOKEN="monitor-secret")
    async with running_app(env) as app, StaffClient(app.url) as owner, StaffClient(app.url) as va:
        await add_user(app.app, "olivia", role="owner")
        await add_user(app.app, "ana")
        await owner.login("olivia")
        await va.login("ana")
        _, page, _ = await owner.get("/inbox")
        assert "health-banner" not in page
        status, body, _ = await owner.get("/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})  # cheap: no account in it

        assert await post_signed(app, meta_dm("m1", "how much is botox")) == 200
        await app.app[WORKER].join()
        monitor = app.app[HEALTH_MONITOR]
        await monitor.run(monitor.clock.now())
        [incident] = await app.app[STORE].open_incidents()
        assert (incident.subject, incident.state) == ("instagram", "down")
        assert incident.open_alert == "failed"  # no Telegram here: the banner is the fallback

        for client, path in ((owner, "/inbox"), (va, "/inbox"), (owner, "/stats")):
            status, page, _ = await client.get(path)
            assert status == 200 and 'class="health-banner health-down"' in page, path
            assert "Instagram token rejected since" in page and "reconnect the account" in page
            assert "the staff chat alert could not be sent" in page

        status, body, _ = await owner.get("/healthz?detail=1")
        detail = json.loads(body)
        assert status == 200 and detail["accounts"]["demo-spa"]["state"] == "down"
        checks = {c["subject"]: c for c in detail["accounts"]["demo-spa"]["checks"]}
        assert checks["instagram"]["state"] == "down" and checks["outbox"]["state"] == "healthy"
        assert (await va.get("/healthz?detail=1"))[0] == 403
        async with StaffClient(app.url) as anonymous:
            assert (await anonymous.get("/healthz?detail=1"))[0] == 401
            assert (await anonymous.get("/healthz?detail=1&token=wrong"))[0] == 401
            status, body, _ = await anonymous.get("/healthz?detail=1",
                                                  headers={"Authorization": "Bearer monitor-secret"})
            assert status == 200 and json.loads(body)["accounts"]["demo-spa"]["state"] == "down"
            _, metrics, _ = await anonymous.get("/metrics")
        assert 'dm_bot_channel_health{account="demo-spa",subject="instagram"} 2.0' in metrics
        assert 'dm_bot_channel_health{account="demo-spa",subject="outbox"} 0.0' in metrics
