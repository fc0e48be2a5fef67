"""GET /b/{token}: a tracked booking link counts the click and redirects to the playbook's booking page, with UTM."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apphelpers import RunningApp, running_app, settings_env

from dm_bot.app import STORE
from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.models import Understanding
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.playbooks import load_playbooks
from dm_bot.settings import load_settings
from dm_bot.web.keys import SECRET_KEY

TUESDAY = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("America/Chicago"))
CLASSIFIER = TableClassifier({"book lip filler": Understanding("booking", ("lip_filler",)),
                              "love this": Understanding("other")})
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Instagram"


@dataclass
class Sent:
    app: RunningApp
    token: str
    conversation_id: int


async def _send_link(env: dict[str, str], story: bool = False) -> tuple[str, int]:
    """A prospect asks to book (after replying to a story, when told): the bot sends a tracked link."""
    settings = load_settings(env)
    world = await World.open(settings.database_url, load_playbooks(settings.playbooks_dir), CLASSIFIER, TUESDAY,
                             settings.public_url)
    try:
        if story:
            await world.message("ana", "love this", story_id="story-42")
        outcome = await world.message("ana", "book lip filler")
        assert outcome.conversation_id is not None
        [link] = await world.links(outcome.conversation_id)
        return link.token, outcome.conversation_id
    finally:
        await world.close()


@pytest.fixture
async def sent(tmp_path: Path) -> AsyncIterator[Sent]:
    env = settings_env(tmp_path, DM_BOT_PUBLIC_URL="https://dm.example-glow.test")
    token, cid = await _send_link(env)
    async with running_app(env, classifier=CLASSIFIER) as app:
        yield Sent(app, token, cid)


async def _get(app: RunningApp, path: str, method: str = "GET", agent: str = BROWSER) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as session, session.request(
            method, app.url + path, allow_redirects=False, headers={"User-Agent": agent}) as response:
        await response.read()
        return response


async def test_click_redirects_to_the_treatment_booking_page_with_utm_source_and_medium(sent: Sent) -> None:
    response = await _get(sent.app, f"/b/{sent.token}")
    assert response.status == 302
    target = urlsplit(response.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "book.example-glow.test", "/lip-filler")
    assert parse_qs(target.query) == {"utm_source": ["instagram"], "utm_medium": ["dm"]}


async def test_the_reply_carries_the_tracked_link_on_the_public_url(sent: Sent) -> None:
    link = await sent.app.app[STORE].link(sent.token)
    assert link is not None and link.url == "https://book.example-glow.test/lip-filler"
    thread = await sent.app.app[STORE].thread(sent.conversation_id)
    assert f"https://dm.example-glow.test/b/{sent.token}" in thread[-1].text
    assert "book.example-glow.test" not in thread[-1].text


async def test_clicks_are_counted_and_the_first_one_marks_the_conversation_and_cancels_the_nudge(sent: Sent) -> None:
    store = sent.app.app[STORE]
    assert await store.next_timer_due() is not None  # the nudge, 20 hours after the link
    for _ in range(2):
        await _get(sent.app, f"/b/{sent.token}")
    link = await store.link(sent.token)
    assert link is not None and link.clicks == 2 and link.first_click_at is not None
    assert (await store.snapshot(sent.conversation_id)).state.link_clicked
    assert await store.next_timer_due() is None


async def test_link_previews_and_head_requests_redirect_without_counting_a_click(sent: Sent) -> None:
    preview = await _get(sent.app, f"/b/{sent.token}", agent="facebookexternalhit/1.1 (+http://www.facebook.com/)")
    head = await _get(sent.app, f"/b/{sent.token}", method="HEAD")
    assert preview.status == head.status == 302
    link = await sent.app.app[STORE].link(sent.token)
    assert link is not None and link.clicks == 0


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # tag altered
    lambda t: ("y" if t[0] == "x" else "x") + t[1:],  # nonce altered
    lambda t: t.split(".")[0],  # tag dropped
    lambda t: t + "." + "a" * 80,  # longer than any token of ours
    lambda t: "%2F%2Fevil.example",  # an attempt at an open redirect
])
async def test_a_tampered_token_is_not_found_and_redirects_nowhere(sent: Sent, mangle: Callable[[str], str]) -> None:
    response = await _get(sent.app, f"/b/{mangle(sent.token)}")
    assert response.status == 404
    assert "Location" not in response.headers
    link = await sent.app.app[STORE].link(sent.token)
    assert link is not None and link.clicks == 0


async def test_a_correctly_signed_token_that_was_never_sent_is_not_found(sent: Sent) -> None:
    signer = LinkSigner("https://dm.example-glow.test", sent.app.app[SECRET_KEY])
    response = await _get(sent.app, f"/b/{signer.new_token()}")
    assert response.status == 404


async def test_a_link_sent_after_a_story_reply_carries_the_story_as_campaign(tmp_path: Path) -> None:
    env = settings_env(tmp_path)
    token, _ = await _send_link(env, story=True)
    async with running_app(env, classifier=CLASSIFIER) as app:
        response = await _get(app, f"/b/{token}")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["utm_campaign"] == ["story-42"] and query["utm_source"] == ["instagram"]
