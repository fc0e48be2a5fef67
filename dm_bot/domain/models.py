"""Core records of the domain: the Understanding of a DM (nlu-labels.md), messages, leads, conversations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

INTENTS: tuple[str, ...] = (
    "greeting",
    "pricing",
    "booking",
    "treatment_info",
    "appointment_change",
    "membership",
    "hours_location",
    "medical_concern",
    "complaint",
    "human_request",
    "opt_out",
    "partnership",
    "spam",
    "other",
)

TREATMENTS: tuple[str, ...] = (
    "neurotoxin",
    "lip_filler",
    "dermal_filler",
    "kybella",
    "laser_hair_removal",
    "ipl_photofacial",
    "laser_resurfacing",
    "microneedling",
    "chemical_peel",
    "facial",
    "body_contouring",
    "skin_tightening",
    "weight_loss",
    "iv_therapy",
    "prp",
    "pdo_threads",
    "tattoo_removal",
    "hormone_therapy",
    "sclerotherapy",
)

CHANNELS: tuple[str, ...] = ("instagram", "messenger", "tiktok")
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal", "low")
LANGUAGES: tuple[str, ...] = ("en", "es")

Channel = Literal["instagram", "messenger", "tiktok"]
Priority = Literal["urgent", "high", "normal", "low"]
Language = Literal["en", "es"]
MediaKind = Literal["image", "audio", "video", "file", "share", "story_mention", "unsupported"]


@dataclass(frozen=True, slots=True)
class Budget:
    """What the sender says they can spend, in USD; either end may be open."""

    min: float | None
    max: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True, slots=True)
class Understanding:
    """One DM understood: the record of nlu-labels.md plus confidence and language."""

    intent: str
    treatments: tuple[str, ...] = ()
    budget: Budget | None = None
    urgent: bool = False
    confidence: float = 1.0
    language: Language = "en"
    asks_price: bool = False  # the message also asks what something costs, whatever its intent
    mixed: bool = False  # the words are as much one language as the other ("me sale caro jaja, any promos?")
    asks_person: bool = False  # also asks for a person or a call ("how much is kybella and can someone call me")
    asks_booking: bool = False  # says in so many words that she wants an appointment ("can i come in", "book me")
    # also asks for no more messages, whatever its intent: "Please stop. I'm going through chemo" is a medical
    # concern (it wins) whose sender must still get no nudge or campaign
    asks_stop: bool = False

    @property
    def loose_booking(self) -> bool:
        """Read as booking with no booking words ("what about cheek filler", "anything cheaper?"): the
        conversation may read it as a follow-up instead."""
        return self.intent == "booking" and not self.asks_booking
    # How the message sounds (nlu/tone.py, intents/tone.yaml): read as the answer to a check-in (domain/reopen.py)
    tone: Literal["positive", "negative"] | None = None

    def as_record(self, text: str) -> dict[str, object]:
        """The JSONL prediction record of eval-cli.md."""
        return {
            "text": text,
            "intent": self.intent,
            "treatments": sorted(set(self.treatments)),
            "budget": None if self.budget is None else self.budget.as_dict(),
            "urgent": self.urgent,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on one of the business's posts or reels (Instagram `comments`, Facebook `feed` comment)."""

    comment_id: str
    post_id: str
    verb: str = "add"  # add, edited, remove, hide (Facebook); Instagram sends new comments only
    parent_id: str | None = None  # the comment it answers, when it is a reply in a thread


@dataclass(frozen=True, slots=True)
class Inbound:
    """One event from a prospect (or an echo of a staff reply), as parsed from a platform webhook."""

    channel: Channel
    platform_account_id: str  # the receiving business account (page / IG account / TikTok business)
    contact_id: str  # the prospect's platform-scoped id
    message_id: str  # platform message id, unique per channel
    sent_at: datetime
    text: str = ""
    media: tuple[MediaKind, ...] = ()
    story_reply: bool = False
    story_id: str | None = None
    referral: str | None = None  # ad id or m.me ref that started the thread
    from_ad: bool = False  # the referral is an ad (Meta click-to-DM, TikTok im_referral_msg), not a link ref
    is_echo: bool = False  # sent by the business from the platform's own app
    is_deleted: bool = False  # the prospect unsent an earlier message
    contact_name: str | None = None
    standby: bool = False  # came on Meta's standby channel: another app controls the thread, do not answer
    app_id: str | None = None  # for an echo, the app that sent it (Meta app_id; TikTok client_key if sent by API)
    record_only: bool = False  # kept on the conversation (an ad referral without a message), never answered
    comment: Comment | None = None  # a comment on a post (comment-to-DM, issue 16)


# Kinds of set-aside events (issue 16): a bounded set, since they label a metric; anything else is "other".
SET_ASIDE_KINDS: frozenset[str] = frozenset({
    "reaction", "read", "delivery", "optin", "message_edit", "handover", "policy_enforcement", "standby",
    "referral_empty", "invalid", "no_content", "not_a_channel", "eu_message", "auto_message", "high_intent_comment",
    "change", "comment_own", "comment_ignored", "echo_other_app", "echo_story_mention", "other",
})


@dataclass(frozen=True, slots=True)
class SetAside:
    """An event seen and deliberately not answered (a reaction, a read receipt, an edit, a handover...):
    recorded and counted by kind, never answered."""

    channel: str  # instagram, messenger, tiktok, or meta when the body named no channel we answer
    kind: str  # one of SET_ASIDE_KINDS
    reason: str  # one line, for an operator
    account: str | None = None  # the receiving business account, when known

    @classmethod
    def of(cls, channel: str, kind: str, reason: str, account: str | None = None) -> SetAside:
        return cls(channel, kind if kind in SET_ASIDE_KINDS else "other", reason[:300], account)


@dataclass(frozen=True, slots=True)
class Lead:
    """What qualifying has learnt about a prospect (situation 4 of conversation-policy.md)."""

    treatment: str | None = None
    budget_min: float | None = None
    budget_max: float | None = None
    timeline: str | None = None
    first_time: bool | None = None
    phone: str | None = None
    email: str | None = None
    story_id: str | None = None
    referral: str | None = None

    @property
    def has_budget(self) -> bool:
        return self.budget_min is not None or self.budget_max is not None

    @property
    def qualified(self) -> bool:
        """service-contract.md: treatment known and either budget or timeline known."""
        return self.treatment is not None and (self.has_budget or self.timeline is not None)

    def merged(self, **changes: object) -> Lead:
        """A copy with the given non-None facts filled in (known facts are kept unless replaced)."""
        kept = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **kept)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What the policy remembers between messages of one conversation."""

    language: Language = "en"
    last_question: str | None = None  # slot the bot last asked about: treatment, budget, timeline
    questions_asked: tuple[str, ...] = ()  # qualifying slots asked so far (never ask twice)
    misses: int = 0  # not-understood messages in a row
    greeted: bool = False
    link_sent_at: datetime | None = None
    link_clicked: bool = False
    booked: bool = False
    nudged: bool = False
    suppressed: bool = False
    spam: bool = False
    paused_until: datetime | None = None  # human takeover (situation 14)
    last_inbound_at: datetime | None = None
    open_escalation_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    budget_addressed: bool = False  # financing or a cheaper alternative already offered (situation 4)

    def is_paused(self, now: datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until


@dataclass(frozen=True, slots=True)
class Escalation:
    """A conversation in the VA queue with its SLA clock."""

    id: int
    conversation_id: int
    account_id: str
    priority: Priority
    reason: str
    opened_at: datetime
    deadline: datetime | None  # None: no SLA (priority low)
    first_human_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    claimed_by: str | None = None
