"""Writing one decision: messages, actions, lead, escalation, timers, outbox and state in one transaction."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from dm_bot.domain.actions import Decision, Escalate, HumanTakeover, Reply, Suppress
from dm_bot.domain.models import Lead
from dm_bot.pipeline.records import Commit, Committed, Snapshot
from dm_bot.store import codec
from dm_bot.store.db import Database, Tx
from dm_bot.store.outbox import write_outbox
from dm_bot.store.patients_admin import patient_opted_out
from dm_bot.store.timers import write_timers
from dm_bot.store.touch_replies import write_touch_changes
from dm_bot.store.versions import claim_version

LEAD_COLUMNS = ("treatment", "budget_min", "budget_max", "timeline")


def _detail(action: object) -> dict[str, Any]:
    raw = json.loads(codec.dumps(action))
    raw.pop("name", None)
    return dict(raw)


class DecisionsMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def commit_decision(self, commit: Commit) -> Committed:
        """One transaction: messages, actions, lead, escalation, timers, outbox, state, handled marks."""
        snapshot, decision, prospect, human = commit.snapshot, commit.decision, commit.prospect, commit.human
        t = codec.to_us(commit.now)
        cid, aid = snapshot.conversation_id, snapshot.account_id
        base = {"a": aid, "c": cid, "t": t}
        inbound_id = None if prospect is None else prospect.inbound_id
        async with self.db.transaction() as tx:
            await claim_version(tx, snapshot, commit.handled, t)
            if prospect is not None:
                await tx.execute(
                    "INSERT INTO messages (account_id, conversation_id, author, text, media, inbound_id, intent, at)"
                    " VALUES (:a, :c, 'prospect', :x, :md, :i, :n, :t)",
                    {**base, "x": prospect.text, "i": prospect.inbound_id, "md": ",".join(prospect.media) or None,
                     "n": None if prospect.understanding is None else prospect.understanding.intent},
                )
            if human is not None:
                await tx.execute(
                    "INSERT INTO messages (account_id, conversation_id, author, text, at, staff_name)"
                    " VALUES (:a, :c, :w, :x, :t, :sn)",
                    {**base, "w": human.author, "x": human.text, "sn": human.staff_name},
                )
            escalation_id = await self._write_actions(tx, snapshot, decision, base, inbound_id, commit.timer_id)
            if any(isinstance(a, Suppress) for a in decision.actions):
                await patient_opted_out(tx, cid, t)  # her opt-out follows her to every conversation and channel
            await self._write_lead(tx, snapshot, decision.lead, t)
            await write_timers(tx, snapshot, decision, escalation_id, t)
            await write_touch_changes(tx, snapshot, decision.touches, t)
            outbox_ids = await write_outbox(tx, snapshot, commit.outgoing, commit.alerts, escalation_id, t)
            state = decision.state
            if escalation_id is not None:
                state = dataclasses.replace(state, open_escalation_id=escalation_id)
            replied = any(isinstance(a, Reply) for a in decision.actions)
            await tx.execute(
                "UPDATE conversations SET state = :s, updated_at = :t,"
                " last_inbound_at = CASE WHEN :inb = 1 THEN :t ELSE last_inbound_at END,"
                " first_response_at = CASE WHEN :r = 1 AND first_response_at IS NULL THEN :t"
                " ELSE first_response_at END WHERE id = :c",
                {**base, "s": codec.dumps(state), "inb": int(prospect is not None), "r": int(replied)},
            )
            for link in commit.links:
                await tx.execute(
                    "INSERT INTO links (token, account_id, conversation_id, treatment, channel, url, campaign,"
                    " created_at) VALUES (:k, :a, :c, :tr, :ch, :u, :cp, :t)",
                    {**base, "k": link.token, "tr": link.treatment, "ch": snapshot.channel, "u": link.url,
                     "cp": snapshot.lead.referral or snapshot.lead.story_id},
                )
            if commit.timer_id is not None:
                await tx.execute("UPDATE timers SET done_at = :t WHERE id = :i", {"t": t, "i": commit.timer_id})
        return Committed(escalation_id, tuple(o for o, _ in outbox_ids))

    async def _write_actions(
        self, tx: Tx, snap: Snapshot, decision: Decision, base: dict[str, Any], inbound_id: int | None,
        timer_id: int | None,
    ) -> int | None:
        escalation_id: int | None = None
        for action in decision.actions:
            await tx.execute(
                "INSERT INTO actions (account_id, conversation_id, inbound_id, timer_id, name, detail, at)"
                " VALUES (:a, :c, :i, :tm, :n, :d, :t)",
                {**base, "i": inbound_id, "tm": timer_id, "n": action.name, "d": json.dumps(_detail(action))},
            )
            if isinstance(action, Reply):
                await tx.execute(
                    "INSERT INTO messages (account_id, conversation_id, author, text, at)"
                    " VALUES (:a, :c, 'bot', :x, :t)",
                    {**base, "x": action.text},
                )
            if isinstance(action, Escalate) and escalation_id is None:
                deadline = getattr(action, "deadline", None)
                row = await tx.fetchrow(
                    "INSERT INTO escalations (account_id, conversation_id, priority, reason, opened_at, deadline)"
                    " VALUES (:a, :c, :p, :r, :t, :dl) RETURNING id",
                    {**base, "p": action.priority, "r": action.reason,
                     "dl": None if deadline is None else codec.to_us(deadline)},
                )
                assert row is not None
                escalation_id = int(row["id"])
            if isinstance(action, HumanTakeover) and snap.escalation is not None:
                await tx.execute(
                    "UPDATE escalations SET first_human_reply_at = :t WHERE id = :e AND first_human_reply_at IS NULL",
                    {"t": base["t"], "e": snap.escalation.id},
                )
        return escalation_id

    async def _write_lead(self, tx: Tx, snap: Snapshot, lead: Lead, t: int) -> None:
        if lead == snap.lead:
            return
        details = {k: v for k, v in json.loads(codec.dumps(lead)).items() if k not in LEAD_COLUMNS}
        await tx.execute(
            "INSERT INTO leads (conversation_id, account_id, treatment, budget_min, budget_max, timeline, details,"
            " qualified_at, updated_at) VALUES (:c, :a, :tr, :bmin, :bmax, :tl, :d, :q, :t)"
            " ON CONFLICT (conversation_id) DO UPDATE SET treatment = excluded.treatment,"
            " budget_min = excluded.budget_min, budget_max = excluded.budget_max, timeline = excluded.timeline,"
            " details = excluded.details, updated_at = excluded.updated_at,"
            " qualified_at = COALESCE(leads.qualified_at, excluded.qualified_at)",
            {"c": snap.conversation_id, "a": snap.account_id, "tr": lead.treatment, "bmin": lead.budget_min,
             "bmax": lead.budget_max, "tl": lead.timeline, "d": json.dumps(details),
             "q": t if lead.qualified else None, "t": t},
        )

