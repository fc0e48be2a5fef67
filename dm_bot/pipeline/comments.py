"""Comment-to-DM in the pipeline (issue 16): a comment on a post gets the campaign's private reply (and its
public answer), paced per page in the outbox; hidden or removed before its turn, it gets nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from dm_bot.domain import campaigns
from dm_bot.domain.actions import Decision, Reply
from dm_bot.domain.models import SetAside
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline import outbox as rows
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.ports import Classifier, Store
from dm_bot.pipeline.records import Commit, OutboxItem, Outgoing, Snapshot, StoredInbound

SetAsideSink = Callable[[Sequence[SetAside]], Awaitable[None]]


async def handle_comment(
    store: Store, classifier: Classifier, links: LinkSigner | None, set_aside: SetAsideSink,
    playbook: Playbook, snap: Snapshot, stored: StoredInbound, now: datetime,
) -> tuple[Decision | None, tuple[OutboxItem, ...]]:
    """The decision committed (None: nothing to answer, the event recorded as set aside) and its outbox items.
    Items of a paced reply wait for their slot: the scheduler's delivery pass sends them."""
    inbound, comment = stored.inbound, stored.inbound.comment
    assert comment is not None
    if comment.verb in ("hide", "remove"):
        cancelled = await store.cancel_comment_replies(snap.conversation_id, comment.comment_id, now)
        await _aside(set_aside, inbound.channel, snap, f"comment {comment.comment_id}: {comment.verb}"
                     f" ({cancelled} unsent replies cancelled)")
        await store.mark_handled(stored.id, now)
        return None, ()
    decided = campaigns.on_comment(playbook, snap.state, comment, inbound.text)
    if decided.outcome != "reply" or decided.campaign is None or decided.state is None:
        await _aside(set_aside, inbound.channel, snap, f"comment {comment.comment_id}: {decided.outcome}")
        await store.mark_handled(stored.id, now)
        return None, ()
    understood = classifier.classify(inbound.text)
    language = understood.language if playbook.speaks(understood.language) else "en"
    actions, public = campaigns.replies(playbook, decided.campaign, language)
    decision = Decision(actions=actions, lead=snap.lead, state=decided.state)
    decision, tracked = rows.track_links(links, playbook, decision)
    private = next(a for a in decision.actions if isinstance(a, Reply))
    base = Outgoing(snap.account_id, snap.channel, snap.platform_account_id, snap.contact_id, private.text,
                    prospect_last_at=inbound.sent_at, comment_id=comment.comment_id)
    outgoing = (base,) if public is None else (base, Outgoing(
        snap.account_id, snap.channel, snap.platform_account_id, snap.contact_id, public,
        prospect_last_at=inbound.sent_at, comment_id=comment.comment_id, public_reply=True))
    committed = await store.commit_decision(Commit(snap, decision, now, outgoing, links=tracked,
                                                   handled_id=stored.id))
    return decision, committed.items  # a row before its slot is not claimed (store/outbox.py): it waits


async def _aside(set_aside: SetAsideSink, channel: str, snap: Snapshot, reason: str) -> None:
    await set_aside([SetAside.of(channel, "comment_ignored", reason, snap.platform_account_id)])
