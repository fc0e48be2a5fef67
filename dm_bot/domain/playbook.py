"""A spa location's playbook: prices, links, hours, texts. Business facts live here, never in code.

Plain dataclasses so the domain stays stdlib-only; `dm_bot.playbooks` validates YAML into them
strictly (`__pydantic_config__` is read by pydantic there: unknown keys are errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, ClassVar

from dm_bot.domain.lifecycle_rules import Lifecycle
from dm_bot.domain.models import Language
from dm_bot.domain.qualifying_phrases import Qualifying
from dm_bot.domain.texts import STRICT, Localized

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Every text key the policy may send (conversation-policy.md); the loader rejects a playbook missing one.
REQUIRED_TEXTS: tuple[str, ...] = (
    "greeting", "price", "price_which", "price_general", "price_consult", "not_offered",
    "booking", "booking_consult", "ask_timeline", "ask_first_time", "ask_budget", "ack",
    "budget_financing", "budget_alternative", "info_follow",
    "holding", "question_holding", "human_request", "appointment_change", "reschedule_link",
    "membership", "membership_link", "medical", "medical_urgent", "complaint", "opt_out",
    "partnership", "media", "clarify", "miss_escalate", "thanks", "nudge",
    "price_exact", "price_from", "price_range",
    "when_today", "when_tomorrow", "when_on_day", "when_on_date", "when_soon",
    *(f"day_{day}" for day in WEEKDAYS),
)
# Texts a playbook may leave out: the bot then says the general one ("greeting", "holding").
OPTIONAL_TEXTS: tuple[str, ...] = (
    "greeting_again", "still_waiting", "repeat_prefix", "price_minimum", "after_link", "medical_hold",
    "provider_confirm", "story_invite", "budget_options", "budget_none", "cheapest_options",
)


@dataclass(frozen=True)
class Price:
    """`amount` per `unit`; `starting` renders as "from $650"; `up_to` closes a range.

    `minimum_spend` is what a typical visit costs at least, for per-unit prices: a budget is
    compared with it (a $200 budget covers one unit of neurotoxin, not a treatment).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    amount: float
    unit: Localized
    starting: bool = False
    up_to: float | None = None
    minimum_spend: float | None = None
    typical: Localized | None = None  # how much a visit usually takes ("most people use 20-40 units ...")

    @property
    def threshold(self) -> float:
        """The least a visit costs, for budget checks."""
        return self.minimum_spend if self.minimum_spend is not None else self.amount


@dataclass(frozen=True)
class TreatmentOffer:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    name: Localized
    price: Price | None = None  # None: a consultation sets the price
    booking_url: str | None = None
    info: Localized | None = None  # the FAQ answer to "what is it / how long does it last"
    cheaper_alternative: str | None = None  # a treatment id offered to a lower budget
    # Areas that name this treatment beside a treatment of the same kind ("price for lips and cheeks?",
    # "what about cheeks" after a lip filler price): a treatment with areas, the areas of the others
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqEntry:
    """An answer found by keywords (any language), optionally for one treatment only.

    `intents` says which understood intents may get this answer; `fallback` makes it the answer
    for those intents when no keyword matched ("where are you guys?" still gets hours and address).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    answer: Localized
    keywords: tuple[str, ...] = ()
    intents: tuple[str, ...] = ("treatment_info",)
    treatment: str | None = None
    fallback: bool = False
    # Said beside whatever else the message asks, whenever a keyword names it: services the spa does not
    # offer ("how much is botox, also do u do hair transplants?" hears plainly that it does not, rule 24).
    anywhere: bool = False


@dataclass(frozen=True)
class ContentItem:
    """A story, post, reel or ad of the spa's (by its platform id): what it shows, and its name for owners."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    treatment: str | None = None  # "how much is this?" in reply to it asks this treatment's price (rule 20)
    name: str | None = None


@dataclass(frozen=True)
class TimeBlock:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    opens: time
    closes: time


@dataclass(frozen=True)
class WeeklyHours:
    """Opening blocks per weekday in the spa's time zone; an empty day is closed."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    monday: tuple[TimeBlock, ...] = ()
    tuesday: tuple[TimeBlock, ...] = ()
    wednesday: tuple[TimeBlock, ...] = ()
    thursday: tuple[TimeBlock, ...] = ()
    friday: tuple[TimeBlock, ...] = ()
    saturday: tuple[TimeBlock, ...] = ()
    sunday: tuple[TimeBlock, ...] = ()

    def blocks(self, weekday: int) -> tuple[TimeBlock, ...]:
        """Blocks of a weekday, Monday = 0 as in `date.weekday()`."""
        blocks: tuple[TimeBlock, ...] = getattr(self, WEEKDAYS[weekday])
        return blocks


@dataclass(frozen=True)
class SlaTargets:
    """Minutes to the first human reply per priority; None = no SLA clock."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    urgent_minutes: int | None = 15
    high_minutes: int | None = 120
    normal_minutes: int | None = 120
    low_minutes: int | None = None
    warning_at: float = 0.75
    urgent_all_hours: bool = True
    urgent_target: float = 0.95  # the share of urgent escalations answered in time below which /stats shows red

    def minutes(self, priority: str) -> int | None:
        value: int | None = getattr(self, f"{priority}_minutes")
        return value


@dataclass(frozen=True)
class PlatformAccounts:
    """The platform account ids this location owns; events are routed by the receiving id."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    instagram: tuple[str, ...] = ()
    messenger: tuple[str, ...] = ()
    tiktok: tuple[str, ...] = ()

    def ids(self, channel: str) -> tuple[str, ...]:
        ids: tuple[str, ...] = getattr(self, channel, ())
        return ids


@dataclass(frozen=True)
class Contact:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    phone: str
    address: str
    business_email: str
    parking: str | None = None
    directions: str | None = None


@dataclass(frozen=True)
class Links:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    consultation: str
    reschedule: str | None = None
    membership: str | None = None


@dataclass(frozen=True)
class CommentCampaign:
    """Comment-to-DM (issue 16): who comments a keyword on these posts gets one private DM."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    keywords: tuple[str, ...]  # any language the playbook speaks; matched loosely (case, accents, a typo)
    private_reply: Localized  # the DM; {link} is the tracked booking link
    posts: str | tuple[str, ...] = "all"  # `all` (every post and reel), or the post / reel ids
    public_reply: Localized | None = None  # answered under the comment, e.g. "Sent you a DM 💌"
    without_keyword: bool = False  # a comment without the keyword on these posts still gets the DM
    link: str | None = None  # the treatment whose booking link {link} is; none: the consultation link

    def covers(self, post_id: str) -> bool:
        return self.posts == "all" or post_id in self.posts


@dataclass(frozen=True)
class Playbook:
    """One account (a spa location) and everything the bot may say for it."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    account_id: str
    name: str
    timezone: str
    contact: Contact
    hours: WeeklyHours
    links: Links
    financing: Localized
    treatments: dict[str, TreatmentOffer]
    texts: dict[str, Localized]
    top_treatments: tuple[str, ...] = ()
    faq: dict[str, FaqEntry] = field(default_factory=dict)
    closed_dates: tuple[date, ...] = ()
    sla: SlaTargets = field(default_factory=SlaTargets)
    nudge_delay_hours: float = 20.0
    takeover_pause_hours: float = 24.0
    platform_accounts: PlatformAccounts = field(default_factory=PlatformAccounts)
    staff_chat_id: str | None = None
    alerts_include_text: bool = False  # Telegram alerts may quote non-medical, non-complaint texts
    greeting_options: tuple[Localized, ...] = ()  # quick replies under the greeting
    qualifying: Qualifying = field(default_factory=Qualifying)
    content: dict[str, ContentItem] = field(default_factory=dict)  # story / post / ad id -> what it shows
    time_format: str = "%H:%M"  # strftime of "by 10:00 tomorrow"
    date_format: str = "%m/%d"
    comment_campaigns: dict[str, CommentCampaign] = field(default_factory=dict)  # by name, e.g. GLOW
    source_names: dict[str, str] = field(default_factory=dict)  # post, story or ad id -> the name owners read
    lifecycle: Lifecycle = field(default_factory=Lifecycle)  # follow-ups after a booking (issue 18)

    def text(self, key: str, language: Language) -> str | None:
        """A reply text in the language, or None when the playbook lacks it in that language."""
        entry = self.texts.get(key)
        return None if entry is None else entry.get(language)

    def offer(self, treatment: str | None) -> TreatmentOffer | None:
        return None if treatment is None else self.treatments.get(treatment)

    def shown_in(self, *content_ids: str | None) -> str | None:
        """The offered treatment a story, post or ad shows: the first of the ids the playbook maps to one."""
        for cid in content_ids:
            item = None if cid is None else self.content.get(cid)
            if item is not None and item.treatment in self.treatments:
                return item.treatment
        return None

    def named_sources(self) -> dict[str, str]:
        """Every story, post, reel or ad id the owners read by name: `content` names and `source_names`."""
        named = {cid: item.name for cid, item in self.content.items() if item.name}
        return {**named, **self.source_names}

    def speaks(self, language: Language) -> bool:
        """Whether the bot may answer in the language: English always, others when the texts have it."""
        if language == "en":
            return True
        return bool(self.texts) and all(entry.get(language) for entry in self.texts.values())


def validate_playbook(pb: Playbook) -> list[tuple[tuple[str | int, ...], str]]:
    """Cross-field problems as (path in the YAML, message); the loader turns them into file:line errors."""
    from dm_bot.domain.playbook_check import problems  # deferred: the checks import this module

    return problems(pb)
