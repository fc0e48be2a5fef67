"""A scripted week at the demo spa with every outcome written down, for the stats tests to add up."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.models import Budget, Channel, Understanding
from dm_bot.playbooks import load_playbook

ROOT = Path(__file__).resolve().parents[2]
CHICAGO = ZoneInfo("America/Chicago")
SINCE, UNTIL = "2026-03-09", "2026-03-11"  # Monday to Wednesday, local days, both included

U = Understanding
TABLE: dict[str, Understanding] = {
    "hi": U("greeting"),
    "book lip filler": U("booking", ("lip_filler",)),
    "how much is botox, budget 500": U("pricing", ("neurotoxin",), Budget(None, 500)),
    "how much is botox": U("pricing", ("neurotoxin",)),
    "next month": U("other"),
    "first time": U("other"),
    "i want to book": U("booking"),
    "my lip turned purple": U("medical_concern", (), None, True),
    "you ruined my lips": U("complaint"),
    "can i talk to a person": U("human_request"),
    "stop": U("opt_out"),
    "collab?": U("partnership"),
    "verify your page": U("spam"),
}


@dataclass(frozen=True)
class Truth:
    """What became of one conversation of the period, known from the script."""

    channel: Channel
    treatment: str | None = None
    lead: bool = False
    qualified: bool = False
    links: int = 0
    links_clicked: int = 0
    clicks: int = 0
    bookings: int = 0
    values: tuple[float, ...] = ()
    first_response: float | None = None  # seconds; None: the bot never answered
    opt_out: bool = False
    spam: bool = False


@dataclass(frozen=True)
class EscalationTruth:
    contact: str
    priority: str
    reason: str
    va: str | None
    human_response: float | None  # seconds on the SLA's clock; None: nobody answered
    sla: str  # met, breached, none


CONVERSATIONS: dict[str, Truth] = {
    "ana": Truth("instagram", "lip_filler", lead=True, links=1, links_clicked=1, clicks=2, bookings=1,
                 values=(650.0,), first_response=2),
    "ben": Truth("messenger", "neurotoxin", lead=True, qualified=True, links=2, links_clicked=1, clicks=1,
                 first_response=4),
    "cat": Truth("tiktok", "neurotoxin", lead=True, qualified=True, bookings=1, first_response=6),
    "dan": Truth("instagram", first_response=3),
    "eve": Truth("instagram", first_response=1),
    "fay": Truth("messenger", first_response=2),
    "gus": Truth("instagram", first_response=1, opt_out=True),
    "hal": Truth("tiktok", first_response=1),
    "ivy": Truth("instagram", spam=True),
    "kim": Truth("instagram", first_response=5),
}

ESCALATIONS: list[EscalationTruth] = [
    EscalationTruth("dan", "urgent", "medical_emergency", "maria", 600, "met"),  # wall clock, 15 min target
    EscalationTruth("eve", "high", "complaint", "joe", 3 * 3600, "breached"),  # 3 open hours against 2
    # 18:30:02 Tuesday to 09:30 Wednesday: 29 min 58 s before closing, 30 min after opening
    EscalationTruth("fay", "normal", "human_request", "maria", 29 * 60 + 58 + 30 * 60, "met"),
    EscalationTruth("hal", "low", "partnership", None, None, "none"),
    EscalationTruth("kim", "normal", "human_request", None, None, "breached"),  # unanswered, long overdue now
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CHICAGO)


async def play(world: World) -> None:
    """The week, in time order; the truth tables above say what each conversation came to."""
    s = timedelta(seconds=1)
    await world.advance_to(at(8, 12))  # Sunday: before the period, counted nowhere
    await world.message("jon", "book lip filler", latency=s)
    await world.message("jon", "can i talk to a person")
    await world.advance_to(at(10, 10))
    await world.message("ana", "hi", latency=2 * s)
    await world.advance(timedelta(minutes=1))
    await world.message("ana", "book lip filler", latency=s)
    await world.advance_to(at(10, 10, 5))
    await world.message("ben", "how much is botox, budget 500", "messenger", latency=4 * s)
    for text in ("next month", "first time", "i want to book"):
        await world.advance(timedelta(minutes=1))
        await world.message("ben", text, "messenger", latency=s)
    await world.advance_to(at(10, 10, 10))
    cat = await world.message("cat", "how much is botox", "tiktok", latency=6 * s)
    await world.advance(timedelta(minutes=1))
    await world.message("cat", "next month", "tiktok", latency=s)
    await world.advance_to(at(10, 10, 15))
    dan = await world.message("dan", "my lip turned purple", latency=3 * s)
    await world.advance_to(at(10, 10, 20))
    eve = await world.message("eve", "you ruined my lips", latency=s)
    await world.advance_to(at(10, 10, 25) + 3 * s)
    assert dan.conversation_id is not None and eve.conversation_id is not None and cat.conversation_id is not None
    await world.staff_reply(dan.conversation_id, "Please call us right now.", "maria")
    await world.advance_to(at(10, 10, 30))
    await world.message("gus", "stop", latency=s)
    await world.advance_to(at(10, 10, 35))
    hal = await world.message("hal", "collab?", "tiktok", latency=s)
    await world.advance_to(at(10, 10, 40))
    await world.message("ivy", "verify your page", latency=s)
    await _clicks_and_bookings(world)
    await world.advance_to(at(10, 13, 20) + s)
    await world.staff_reply(eve.conversation_id, "I am so sorry, let us fix this.", "joe")
    await world.advance_to(at(10, 14))
    await world.book(cat.conversation_id)  # marked booked by staff, no value known
    assert hal.conversation_id is not None
    await world.resolve(hal.conversation_id)
    await world.advance_to(at(10, 18, 30))
    fay = await world.message("fay", "can i talk to a person", "messenger", latency=2 * s)
    await world.advance_to(at(11, 9, 30))
    assert fay.conversation_id is not None
    await world.staff_reply(fay.conversation_id, "Hi Fay, how can I help?", "maria")
    await world.advance_to(at(11, 11))
    await world.message("kim", "can i talk to a person", latency=5 * s)
    await world.advance_to(at(12, 12))  # Thursday: after the period; late clicks still count for their cohort


async def _clicks_and_bookings(world: World) -> None:
    ids = {c: await _conversation(world, c) for c in ("ana", "ben")}
    await world.advance_to(at(10, 11))
    ana_links = await world.links(ids["ana"])
    await world.click(ana_links[0].token)
    await world.advance(timedelta(minutes=5))
    await world.click(ana_links[0].token)  # a second click on the same link: one link clicked, two clicks
    await world.advance_to(at(10, 11, 30))
    await world.book(ids["ana"], 650.0, token=ana_links[0].token)
    await world.advance_to(at(10, 12))
    ben_links = await world.links(ids["ben"])
    await world.click(ben_links[-1].token)


async def _conversation(world: World, contact: str) -> int:
    row = await world.store.db.fetchrow("SELECT id FROM conversations WHERE contact_id = :c", {"c": contact})
    assert row is not None
    return int(row["id"])


def playbooks_dir(tmp: Path) -> Path:
    folder = tmp / "playbooks"
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "playbooks" / "demo-spa.yaml", folder)
    return folder


async def open_world(database_url: str) -> World:
    """The demo spa on a fake clock; the classifier reads the table (the figures are under test, not it)."""
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    return await World.open(database_url, {playbook.account_id: playbook}, TableClassifier(TABLE), at(1, 9))
