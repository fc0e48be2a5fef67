"""What a decision puts in the outbox: replies as Outgoing messages (with tracked booking links) and
staff alerts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dm_bot.domain.actions import BookingLink, Decision, Escalate, Reply, SlaBreach, SlaWarning
from dm_bot.domain.platform import split_text
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.link_signer import LinkSigner, TrackedLink
from dm_bot.pipeline.records import Alert, Outgoing, Snapshot

PRIVATE_REASONS = ("medical", "complaint")  # alerts never quote these messages (issue 7: Telegram is no place)


def track_links(
    links: LinkSigner | None, playbook: Playbook, decision: Decision
) -> tuple[Decision, tuple[TrackedLink, ...]]:
    """Swap each booking URL in the replies for a tracked `/b/{token}` link (issue 8). Without a
    signer (chat, eval) the playbook's own URLs go out."""
    if links is None:
        return decision, ()
    tracked: list[TrackedLink] = []
    actions = list(decision.actions)
    for link in (a for a in decision.actions if isinstance(a, BookingLink)):
        offer = playbook.offer(link.treatment)
        url = offer.booking_url if offer is not None and offer.booking_url else playbook.links.consultation
        token = links.new_token()
        for i, action in enumerate(actions):
            if isinstance(action, Reply) and url in action.text:
                actions[i] = replace(action, text=action.text.replace(url, links.url(token), 1))
                tracked.append(TrackedLink(token, link.treatment, url))
                break
    return replace(decision, actions=tuple(actions)), tuple(tracked)


def messages(
    snap: Snapshot, text: str, quick_replies: tuple[str, ...] = (), human: bool = False,
    last: datetime | None = None,
) -> tuple[Outgoing, ...]:
    """One text as the messages that carry it on the conversation's platform (domain/platform.py); the
    quick replies go with the last."""
    parts = split_text(text, snap.channel)
    return tuple(
        Outgoing(snap.account_id, snap.channel, snap.platform_account_id, snap.contact_id, part,
                 quick_replies if n == len(parts) - 1 else (), human_agent=human,
                 prospect_last_at=last or snap.state.last_inbound_at)
        for n, part in enumerate(parts)
    )


def outgoing(snap: Snapshot, decision: Decision) -> tuple[Outgoing, ...]:
    last = decision.state.last_inbound_at
    replies = (a for a in decision.actions if isinstance(a, Reply))
    return tuple(m for a in replies for m in messages(snap, a.text, a.quick_replies, last=last))


def alerts(
    snap: Snapshot, playbook: Playbook, decision: Decision, text: str | None, escalation_id: int = 0
) -> tuple[Alert, ...]:
    out: list[Alert] = []
    for action in decision.actions:
        if isinstance(action, Escalate):
            reason, priority, kind = action.reason, action.priority, "escalation"
        elif isinstance(action, (SlaWarning, SlaBreach)) and snap.escalation is not None:
            reason, priority, kind = snap.escalation.reason, action.priority, action.name
        else:
            continue
        private = any(word in reason for word in PRIVATE_REASONS)
        quoted = text if playbook.alerts_include_text and not private and kind == "escalation" else None
        about = next((c.about for c in decision.touches if c.about), None)  # a check-in's answer (issue 18)
        out.append(Alert(kind, snap.account_id, snap.conversation_id, escalation_id, priority, reason,  # type: ignore[arg-type]
                         snap.channel, snap.contact_id, quoted, about if kind == "escalation" else None))
    return tuple(out)
