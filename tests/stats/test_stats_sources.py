"""Stats by source (issue 16): every conversation's first source, the funnel and revenue of each kind, the top
stories, posts and ads by the playbook's names, and the source in the CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stats_script import at, open_world

from dm_bot.commands.demo.world import World
from dm_bot.domain.models import Comment, Inbound
from dm_bot.domain.sources import SOURCE_KINDS
from dm_bot.reports import numbers
from dm_bot.reports.numbers import make_period

IG = "17841400000000001"


async def _handle(world: World, inbound: Inbound) -> int:
    stored = await world.pipeline.service.accept_inbound(inbound)
    assert stored is not None and stored.conversation_id is not None
    await world.pipeline.service.handle_inbound(stored)
    return stored.conversation_id


async def _play(world: World) -> dict[str, int]:
    await world.advance_to(at(10, 10))
    now = world.now()
    conversations = {
        "organic": (await world.message("ana", "hi")).conversation_id,
        "story_reply": (await world.message("bea", "book lip filler", story_id="story-77")).conversation_id,
        "story_mention": (await world.message("cy", "", media=("story_mention",))).conversation_id,
        "share": (await world.message("dee", "", media=("share",))).conversation_id,
        "link_ref": (await world.message("eve", "hi", referral="spring-link")).conversation_id,
        "ad": await _handle(world, Inbound("instagram", IG, "fay", "ad-open-1", now, referral="ad-1830",
                                           from_ad=True)),
        "comment": await _handle(world, Inbound("instagram", IG, "gus", "comment:c-1", now, text="GLOW",
                                                comment=Comment("c-1", "18000000000000001"))),
    }
    await _handle(world, Inbound("instagram", IG, "fay", "ad-dm-1", now, text="book lip filler"))
    await world.advance(timedelta(minutes=5))
    for name in ("ad", "ad", "comment"):  # two bookings from the ad, one from the comment campaign
        cid = conversations[name]
        assert cid is not None
        await world.book(cid, 650.0)
    return {k: v for k, v in conversations.items() if v is not None}


async def _figures(world: World) -> dict[str, Any]:
    period = make_period(world.playbooks, None, "2026-03-10", "2026-03-10", world.now())
    figures: dict[str, Any] = await numbers.stats(world.store, period, world.playbooks, world.now())
    return figures


async def test_every_conversation_has_its_first_source_and_the_funnel_breaks_down_by_it(database_url: str) -> None:
    world = await open_world(database_url)
    try:
        conversations = await _play(world)
        figures = await _figures(world)
        period = make_period(world.playbooks, None, "2026-03-10", "2026-03-10", world.now())
        csv = await numbers.export_rows(world.store, period, world.playbooks, world.now())
    finally:
        await world.close()
    assert len(conversations) == 7
    by_source = figures["by_source"]
    assert list(by_source) == sorted(SOURCE_KINDS)
    assert {k: v["conversations"] for k, v in by_source.items()} == dict.fromkeys(SOURCE_KINDS, 1)
    # booked without a clicked link: a booking all the same, counted beside the funnel as such (issue 15, item 7)
    ad, comment = by_source["ad"], by_source["comment"]
    assert (ad["bookings"], ad["booked_other_ways"], ad["bookings_total"], ad["revenue"]) == (1, 1, 2, 1300.0)
    assert (comment["booking_links_sent"], comment["bookings_total"], comment["booked_other_ways"]) == (1, 1, 1)
    assert sum(v["conversations"] for v in by_source.values()) == figures["conversations"]
    top = {(s["source"], s["name"]): s["conversations"] for s in figures["top_sources"]}
    assert top == {("ad", "Lip filler spring ad"): 1, ("comment", "December GLOW reel"): 1,
                   ("story_reply", "story-77"): 1, ("link_ref", "spring-link"): 1}
    header, *rows = csv
    assert header[-3:] == ["source", "source_id", "source_name"]
    assert sorted((r[-3], r[-1]) for r in rows) == sorted([
        ("organic", ""), ("story_reply", "story-77"), ("story_mention", ""), ("share", ""),
        ("link_ref", "spring-link"), ("ad", "Lip filler spring ad"), ("comment", "December GLOW reel")])
