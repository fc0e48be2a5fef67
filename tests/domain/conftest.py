"""Playbooks loaded the way the service loads them (YAML through pydantic), and a conversation driver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pydantic
import pytest
import yaml

from dm_bot.domain.actions import Action, Decision, Escalate, Reply
from dm_bot.domain.models import (
    Budget,
    Channel,
    ConversationState,
    Escalation,
    Inbound,
    Language,
    Lead,
    MediaKind,
    Understanding,
)
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.policy import Turn, decide

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
CHICAGO = ZoneInfo("America/Chicago")


@cache
def load(name: str) -> Playbook:
    raw = yaml.safe_load((PLAYBOOKS / f"{name}.yaml").read_text(encoding="utf-8"))
    return pydantic.TypeAdapter(Playbook).validate_python(raw)


def raw_playbook(name: str) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((PLAYBOOKS / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def build(raw: dict[str, object]) -> Playbook:
    return pydantic.TypeAdapter(Playbook).validate_python(raw)


def chicago(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def understood(
    intent: str,
    *treatments: str,
    budget: tuple[float | None, float | None] | None = None,
    urgent: bool = False,
    language: Language = "en",
) -> Understanding:
    return Understanding(
        intent=intent,
        treatments=tuple(sorted(treatments)),
        budget=None if budget is None else Budget(*budget),
        urgent=urgent,
        language=language,
    )


def reply_of(decision: Decision) -> Reply | None:
    return next((a for a in decision.actions if isinstance(a, Reply)), None)


def text_of(decision: Decision) -> str:
    reply = reply_of(decision)
    return "" if reply is None else reply.text


def escalation_of(decision: Decision) -> Escalate | None:
    return next((a for a in decision.actions if isinstance(a, Escalate)), None)


@dataclass
class Chat:
    """A conversation with the policy: each message feeds the last decision's state and lead back in."""

    playbook: Playbook
    now: datetime
    channel: Channel = "instagram"
    state: ConversationState = field(default_factory=ConversationState)
    lead: Lead = field(default_factory=Lead)
    escalation: Escalation | None = None
    decisions: list[Decision] = field(default_factory=list)
    _ids: int = 0

    def send(
        self, text: str, u: Understanding, media: tuple[MediaKind, ...] = (), story_id: str | None = None
    ) -> Decision:
        self._ids += 1
        inbound = Inbound(self.channel, "17841400000000001", "prospect-1", f"m{self._ids}", self.now, text=text,
                          media=media, story_reply=story_id is not None, story_id=story_id)
        decision = decide(Turn(self.channel, inbound, u, self.state, self.lead, self.escalation), self.playbook,
                          self.now)
        self.apply(decision)
        return decision

    def apply(self, decision: Decision) -> None:
        """What the store does with a decision: keep state and lead, open an escalation."""
        self.state, self.lead = decision.state, decision.lead
        self.decisions.append(decision)
        esc = escalation_of(decision)
        if esc is not None:
            self._ids += 1
            self.escalation = Escalation(self._ids, 1, self.playbook.account_id, esc.priority, esc.reason, self.now,
                                         esc.deadline)

    def actions(self) -> list[Action]:
        return [a for d in self.decisions for a in d.actions]


@pytest.fixture
def demo() -> Playbook:
    return load("demo-spa")


@pytest.fixture
def lakeside() -> Playbook:
    return load("lakeside-spa")


@pytest.fixture
def chat(demo: Playbook) -> Chat:
    """The demo spa on a Tuesday at 11:00 in Chicago (the eval harness's default start)."""
    return Chat(demo, chicago(2026, 3, 10, 11))


ChatFactory = Callable[..., Chat]
