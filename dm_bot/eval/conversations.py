"""`dm-bot eval conversations`: scenarios through the whole pipeline on a fake clock and a fake channel."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.domain.actions import Action, BookingLink, Escalate, PriceQuote, Reply
from dm_bot.domain.models import Channel, Inbound, MediaKind
from dm_bot.domain.playbook import Playbook
from dm_bot.eval.scenario import Scenario, parse_wait
from dm_bot.pipeline.ports import Classifier
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier

DEFAULT_DAY = datetime(2026, 3, 10).date()  # a Tuesday
PROSPECT = "eval-prospect"
BUSINESS = "eval-business"


@dataclass
class Run:
    """One scenario in progress: the actions since the last expect step, and what was checked."""

    scenario: Scenario
    pipeline: Pipeline
    clock: FakeClock
    since_expect: list[Action] = field(default_factory=list)
    last_intent: str | None = None
    conversation_id: int | None = None
    counter: int = 0
    checks: int = 0
    checks_passed: int = 0
    failures: list[str] = field(default_factory=list)
    last_reply: str | None = None  # the bot's previous reply in this conversation
    repeated: bool = False  # since the last expect step, a reply said its predecessor again word for word
    deadline: datetime | None = None  # the SLA deadline of the latest escalation
    timezone: str = "UTC"  # the spa's, for the promised time


_CLOCK_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?:\s*([ap])\.?\s?m\.?)?(?![\d:])", re.IGNORECASE)


def promised_times(text: str) -> list[tuple[int, int]]:
    """Every clock time a reply states ("by 11:00 tomorrow", "by 2:30 pm"), as (hour 0-23, minute)."""
    times = []
    for hour, minute, half in _CLOCK_TIME.findall(text):
        h = int(hour) % 12 + (12 if half.lower() == "p" else 0) if half else int(hour)
        times.append((h, int(minute)))
    return times


def keeps_promise(replies: list[str], deadline: datetime | None, timezone: str) -> bool:
    """promise_is_deadline: some reply promises a time, and every time promised is the SLA deadline in the
    spa's time zone."""
    promised = [t for reply in replies for t in promised_times(reply)]
    if deadline is None or not promised:
        return False
    due = deadline.astimezone(ZoneInfo(timezone))
    return all(t == (due.hour, due.minute) for t in promised)


def default_start(playbook: Playbook) -> datetime:
    return datetime.combine(DEFAULT_DAY, time(11, 0), tzinfo=ZoneInfo(playbook.timezone))


def evaluate(
    expect: dict[str, Any], actions: list[Action], intent: str | None, run: Run | None = None
) -> list[tuple[str, bool]]:
    """Each expect key against the actions since the previous expect step (eval-cli.md); `run` carries what
    spans the conversation (the previous reply, the escalation's deadline)."""
    names = [a.name for a in actions]
    replies = [a.text.lower() for a in actions if isinstance(a, Reply)]
    links = [a.treatment for a in actions if isinstance(a, BookingLink)]
    results: list[tuple[str, bool]] = []
    for key, want in expect.items():
        if key == "replied":
            ok = bool(replies) == want
        elif key == "price_quote":
            ok = any(isinstance(a, PriceQuote) and a.treatment == want for a in actions)
        elif key == "booking_link":
            ok = bool(links) if want is True else want in links
        elif key == "no_sales":
            ok = ("price_quote" not in names and "booking_link" not in names) == want
        elif key == "escalated":
            ok = ("escalate" in names) == want
        elif key == "priority":
            ok = any(isinstance(a, Escalate) and a.priority == want for a in actions)
        elif key in ("suppressed", "spam", "nudge", "sla_warning", "sla_breach"):
            name = {"suppressed": "suppress"}.get(key, key)
            ok = (name in names) == want
        elif key == "intent":
            ok = intent == want
        elif key == "reply_contains":
            ok = all(any(s.lower() in r for r in replies) for s in want)
        elif key == "reply_contains_any":
            ok = any(s.lower() in r for s in want for r in replies)
        elif key == "reply_excludes":
            ok = not any(s.lower() in r for s in want for r in replies)
        elif key == "no_repeat":
            ok = run is None or not run.repeated
        else:  # promise_is_deadline
            ok = run is not None and keeps_promise(replies, run.deadline, run.timezone)
        results.append((key, ok))
    return results


async def _user(run: Run, step: dict[str, Any], echo: bool = False) -> tuple[Action, ...]:
    run.counter += 1
    text = step["echo"] if echo else step["user"]
    media: tuple[MediaKind, ...] = (step["attachment"],) if step.get("attachment") else ()
    channel: Channel = run.scenario.channel  # type: ignore[assignment]
    inbound = Inbound(
        channel, BUSINESS, PROSPECT, f"{'echo' if echo else 'mid'}-{run.counter}", run.clock.now(), text=text,
        media=media, story_reply=bool(step.get("story_reply")), is_echo=echo, story_id=_story_id(step),
    )
    service = run.pipeline.service
    stored = await service.accept_inbound(inbound)
    if stored is None:
        return ()
    run.conversation_id = stored.conversation_id
    outcome = await service.handle_inbound(stored)
    if outcome.understanding is not None:
        run.last_intent = outcome.understanding.intent
    return outcome.actions


def _story_id(step: dict[str, Any]) -> str | None:
    """`"story_reply": true` is a story the playbook does not know; a string is that story's or post's id."""
    story = step.get("story_reply")
    if isinstance(story, str):
        return story
    return "eval-story" if story else None


async def _wait(run: Run, step: dict[str, Any]) -> tuple[Action, ...]:
    """Move the clock, firing each due timer at its own time."""
    target = run.clock.now() + parse_wait(step["wait"])
    fired: list[Action] = []
    store, service = run.pipeline.store, run.pipeline.service
    while (due := await store.next_timer_due()) is not None and due <= target:
        run.clock.set(max(due, run.clock.now()))
        outcomes = await service.run_due_timers()
        fired.extend(a for o in outcomes for a in o.actions)
        if not outcomes and await store.next_timer_due() == due:
            break  # a leased timer that nobody commits: do not spin
    run.clock.set(target)
    for outcome in await service.run_due_timers():
        fired.extend(outcome.actions)
    return tuple(fired)


async def _step(run: Run, index: int, step: dict[str, Any], trace: TextIO | None) -> None:
    actions: tuple[Action, ...] = ()
    checked: list[tuple[str, bool]] = []
    if "user" in step:
        actions = await _user(run, step)
    elif "echo" in step:
        actions = await _user(run, step, echo=True)
    elif "staff" in step:
        if run.conversation_id is None:
            checked.append(("staff reply needs a conversation", False))
        else:
            actions = (await run.pipeline.service.handle_staff_reply(run.conversation_id, step["staff"])).actions
    elif "wait" in step:
        actions = await _wait(run, step)
    else:
        checked = evaluate(step["expect"], run.since_expect, run.last_intent, run)
        run.since_expect, run.repeated = [], False
    run.since_expect.extend(actions)
    _remember(run, actions)
    for key, ok in checked:
        run.checks += 1
        run.checks_passed += ok
        if not ok:
            run.failures.append(f"step {index}: {key}")
    if trace is not None:
        record = {"scenario": run.scenario.name, "step": index, "input": step,
                  "actions": [_plain(a) for a in actions], "intent": run.last_intent,
                  "checks": [{"key": k, "ok": ok} for k, ok in checked]}
        trace.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def _remember(run: Run, actions: tuple[Action, ...]) -> None:
    for action in actions:
        if isinstance(action, Reply):
            run.repeated = run.repeated or action.text == run.last_reply
            run.last_reply = action.text
        elif isinstance(action, Escalate):
            run.deadline = action.deadline


def _plain(action: Action) -> dict[str, Any]:
    return {k: getattr(action, k) for k in action.__dataclass_fields__}


async def run_scenario(
    scenario: Scenario, playbook: Playbook, classifier: Classifier, trace: TextIO | None
) -> tuple[int, int, list[str]]:
    """Run one scenario on a fresh temporary store; returns (checks, checks passed, failures)."""
    clock = FakeClock(scenario.start or default_start(playbook))
    with tempfile.TemporaryDirectory(prefix="dm-bot-eval-") as tmp:
        pipeline = await open_pipeline(
            f"sqlite+aiosqlite:///{tmp}/eval.sqlite3", {playbook.account_id: playbook}, classifier,
            {scenario.channel: FakeChannel()}, RecordingNotifier(), clock,
        )
        run = Run(scenario, pipeline, clock, timezone=playbook.timezone)
        try:
            for index, step in enumerate(scenario.steps):
                await _step(run, index, step, trace)
        finally:
            await pipeline.close()
    return run.checks, run.checks_passed, run.failures


async def run_eval_conversations(
    scenarios: list[Scenario], playbook: Playbook, classifier: Classifier, trace: TextIO | None = None
) -> dict[str, Any]:
    failed: list[str] = []
    checks = passed = 0
    for scenario in scenarios:
        n, ok, failures = await run_scenario(scenario, playbook, classifier, trace)
        checks, passed = checks + n, passed + ok
        if failures:
            failed.append(scenario.name)
    return {"scenarios": len(scenarios), "passed": len(scenarios) - len(failed), "failed": failed,
            "checks": checks, "checks_passed": passed}
