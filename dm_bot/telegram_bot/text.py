"""What the staff chat shows: alert messages, their buttons, the claim line and the /queue list (Telegram HTML)."""

# Every value that comes from a prospect or a playbook is escaped: Telegram's HTML mode rejects a stray `<`
# and a prospect's name must never become markup. Texts of medical or complaint messages never get here:
# the service leaves Alert.text None for them.

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dm_bot.domain.hours import local
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.records import Alert
from dm_bot.reports.format import channel_label, sla_time, span
from dm_bot.store.staff import QueueRow
from dm_bot.store.staff_chat import EscalationBrief

CLAIM_PREFIX = "claim:"
MAX_QUOTE = 300  # characters of a quoted prospect message: the inbox shows the rest
MAX_QUEUE_ROWS = 25  # keeps /queue under Telegram's 4,096-character message limit

_ICON = {"urgent": "🚨", "high": "🔴", "normal": "🟡", "low": "⚪"}
_HEADLINE = {"escalation": "{icon} <b>{priority}</b> escalation", "sla_warning": "⏰ <b>SLA warning</b> · {priority}",
             "sla_breach": "⛔ <b>SLA breached</b> · {priority}"}


def inbox_url(public_url: str, conversation_id: int) -> str:
    return f"{public_url.rstrip('/')}/inbox/{conversation_id}"



def clock_state(deadline: datetime | None, answered: bool, now: datetime, pb: Playbook | None, priority: str) -> str:
    """Where the SLA clock stands: "answered", "no SLA", "due 14:15 (in 25 min)", "overdue by 5 min"; the
    time counted as the inbox counts it (business time, unless urgent round the clock)."""
    if answered:
        return "answered"
    if deadline is None:
        return "no SLA"
    if deadline <= now:
        return f"overdue by {span(sla_time(pb, priority, deadline, now))}"
    return f"due {_when(deadline, now, pb)} (in {span(sla_time(pb, priority, now, deadline))})"


def _when(at: datetime, now: datetime, pb: Playbook | None) -> str:
    """A time on the spa's wall clock, with the weekday when it is not today there."""
    if pb is None:
        return at.strftime("%a %H:%M UTC")
    due, today = local(pb, at), local(pb, now).date()
    return due.strftime(pb.time_format if due.date() == today else "%a " + pb.time_format)


def reason_name(reason: str) -> str:
    """"medical_emergency" reads as "medical emergency"."""
    return escape(reason.replace("_", " "))


def prospect(contact_name: str | None, contact_id: str) -> str:
    return contact_name or contact_id


def alert_text(
    alert: Alert, brief: EscalationBrief | None, pb: Playbook | None, now: datetime, link: str | None = None
) -> str:
    """The alert message: priority, reason, channel, account, prospect, SLA clock; the quote only when allowed.

    `link` puts the inbox address in the text, for when Telegram refuses it as a button (a local address).
    """
    headline = _HEADLINE[alert.kind].format(icon=_ICON.get(alert.priority, "•"), priority=alert.priority.upper())
    name = brief.contact_name if brief is not None else None
    lines = [
        headline,
        f"Reason: {reason_name(alert.reason)}",
        f"Channel: {channel_label(alert.channel)} · {escape(pb.name if pb is not None else alert.account_id)}",
        f"Prospect: {escape(prospect(name, alert.contact))}",
    ]
    if alert.about:  # the visit a check-in's answer is about: treatment and date, never her words
        lines.append(f"Follow-up: {escape(alert.about)}")
    if brief is not None:
        answered = brief.first_human_reply_at is not None
        lines.append(f"SLA: {clock_state(brief.deadline, answered, now, pb, brief.priority)}")
        if brief.claimed_by:
            lines.append(claimed_line(brief.claimed_by))
    if alert.text:
        quote = alert.text if len(alert.text) <= MAX_QUOTE else alert.text[: MAX_QUOTE - 1] + "…"
        lines.append(f"<blockquote>{escape(quote)}</blockquote>")
    if link is not None:
        lines.append(f"Inbox: {escape(link)}")
    lines.append("<i>Reply to this message to answer the prospect; reply /resolve and what was done to close it.</i>")
    return "\n".join(lines)


def claimed_line(who: str) -> str:
    return f"✋ Claimed by <b>{escape(who)}</b>"


def alert_keyboard(escalation_id: int, link: str | None, claimable: bool = True) -> InlineKeyboardMarkup | None:
    """Claim (a callback) and the conversation in the inbox (a URL button); None when neither applies."""
    row: list[InlineKeyboardButton] = []
    if claimable and escalation_id:
        row.append(InlineKeyboardButton("✋ Claim", callback_data=f"{CLAIM_PREFIX}{escalation_id}"))
    if link is not None:
        row.append(InlineKeyboardButton("Open in inbox", url=link))
    return InlineKeyboardMarkup([row]) if row else None


def queue_text(rows: list[QueueRow], playbooks: dict[str, Playbook], public_url: str, now: datetime) -> str:
    """/queue: the open escalations, soonest deadline first, one line each with a link to the inbox."""
    if not rows:
        return "No open escalations."
    lines = [f"<b>Open escalations: {len(rows)}</b>"]
    for i, row in enumerate(rows[:MAX_QUEUE_ROWS], 1):
        pb = playbooks.get(row.account_id)
        parts = [
            f"{_ICON.get(row.priority, '•')} {row.priority.upper()}",
            reason_name(row.reason),
            channel_label(row.channel),
            escape(pb.name if pb is not None else row.account_id),
            escape(prospect(row.contact_name, row.contact_id)),
            clock_state(row.deadline, row.first_human_reply_at is not None, now, pb, row.priority),
        ]
        if row.claimed_by:
            parts.append(f"claimed by {escape(row.claimed_by)}")
        link = escape(inbox_url(public_url, row.conversation_id), quote=True)
        lines.append(f"{i}. {' · '.join(parts)} · <a href=\"{link}\">open</a>")
    if len(rows) > MAX_QUEUE_ROWS:
        lines.append(f"… and {len(rows) - MAX_QUEUE_ROWS} more in the inbox: {escape(public_url.rstrip('/'))}/inbox")
    return "\n".join(lines)
