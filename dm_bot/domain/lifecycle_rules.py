"""A spa's patient lifecycle rules (issue 18), the playbook's `lifecycle:` section: per treatment, when a
patient hears from the spa again (confirmation, check-in, recall, series, review request, win-back), what
is said, what suppresses a touch, and how owners group patients by recency.

Plain dataclasses (stdlib only), validated by the playbook loader like the rest of `Playbook`;
`lifecycle_problems` holds the cross-field checks, each naming its YAML path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING, Any, ClassVar

from dm_bot.domain.texts import STRICT, Localized

if TYPE_CHECKING:  # the playbook imports this module; its types are only read here
    from dm_bot.domain.playbook import Playbook

# The touches, in the order a patient's cycle meets them.
TOUCH_KINDS: tuple[str, ...] = ("confirmation", "check_in", "recall", "series", "review_request", "win_back")
# The message a touch sends is `messages[kind]`; `welcome_back` opens a due touch joined to the bot's answer
# when she writes again (route "reopen").
MESSAGE_KEYS: tuple[str, ...] = (*TOUCH_KINDS, "welcome_back")
# Why a due touch is not sent. `opted_out` and `do_not_contact` always apply; the others apply when the
# playbook lists them under `suppress` (all of them by default).
SUPPRESSION_REASONS: tuple[str, ...] = (
    "opted_out",  # the patient (in any conversation, on any channel) said stop
    "do_not_contact",  # staff marked the patient
    "booked_again",  # a later appointment is scheduled or done since the touch's appointment
    "open_complaint",  # a complaint escalation of hers is open
    "open_medical",  # a medical or urgent escalation of hers is open
    "cooldown",  # another touch reached her within `cooldown_days`
)
ALWAYS_SUPPRESSED: tuple[str, ...] = ("opted_out", "do_not_contact")
# The placeholders a lifecycle message may use (filled when the touch is drafted).
LIFECYCLE_PLACEHOLDERS: frozenset[str] = frozenset(
    {"spa", "name", "treatment", "date", "time", "weeks", "preparation", "intake_form", "review_links", "link",
     "phone", "address", "session", "sessions"}
)


@dataclass(frozen=True)
class Series:
    """A treatment sold as a series: `sessions` visits, one every `every_days`."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    sessions: int
    every_days: int


@dataclass(frozen=True)
class TreatmentCycle:
    """One treatment's cycle. Days count from the appointment's time (completed, or scheduled for the
    confirmation); None leaves that touch out for the treatment."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    check_in_days: int | None = None  # after a completed visit: "how are you feeling?"
    recall_days: int | None = None  # the maintenance interval: after the last completed visit, come back
    series: Series | None = None  # a single visit of a series gets a reminder for the next session
    preparation: Localized | None = None  # said in the confirmation ("no alcohol 24 h before ...")


@dataclass(frozen=True)
class Segments:
    """Patients by the days since their last completed visit (a scheduled visit makes her active):
    active within `active_days`, at risk within `at_risk_days`, dormant within `lapsed_days`, then lapsed.
    `loyal_visits` completed visits keep a patient active until `at_risk_days` (frequency counts)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    active_days: int = 120
    at_risk_days: int = 210
    lapsed_days: int = 365
    loyal_visits: int = 3


@dataclass(frozen=True)
class SendHours:
    """Touches go out on the spa's open days (hours and closed dates), between these local times."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    opens: time = time(10, 0)
    closes: time = time(18, 0)


@dataclass(frozen=True)
class Lifecycle:
    """The playbook's `lifecycle:` section. An empty one (the default) sends no touches."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    treatments: dict[str, TreatmentCycle] = field(default_factory=dict)
    messages: dict[str, Localized] = field(default_factory=dict)  # by MESSAGE_KEYS
    intake_form: str | None = None  # the intake-form link of the confirmation
    review_links: dict[str, str] = field(default_factory=dict)  # site name -> review page (Google, RealSelf)
    win_back_days: int | None = None  # after the last visit with nothing booked; None: segments.lapsed_days
    cooldown_days: int = 14
    suppress: tuple[str, ...] = SUPPRESSION_REASONS
    segments: Segments = field(default_factory=Segments)
    send_hours: SendHours = field(default_factory=SendHours)
    outbound_webhook: str | None = None  # the spa's SMS / e-mail tool gets Due-list touches here (HMAC-signed)

    def cycle(self, treatment: str | None) -> TreatmentCycle | None:
        return None if treatment is None else self.treatments.get(treatment)

    def message(self, key: str) -> Localized | None:
        return self.messages.get(key)

    def suppresses(self, reason: str) -> bool:
        """Whether this spa applies a suppression reason (opt-outs and do-not-contact always)."""
        return reason in ALWAYS_SUPPRESSED or reason in self.suppress

    @property
    def win_back_after(self) -> int:
        return self.win_back_days if self.win_back_days is not None else self.segments.lapsed_days

    @property
    def active(self) -> bool:
        return bool(self.treatments) and bool(self.messages)


Path = tuple[str | int, ...]


def lifecycle_problems(pb: Playbook) -> Iterator[tuple[Path, str]]:
    """Cross-field problems of `pb.lifecycle`, each with its YAML path."""
    from dm_bot.domain.replies import placeholders  # deferred: replies imports the playbook module

    lc, at = pb.lifecycle, ("lifecycle",)
    for tid, cycle in lc.treatments.items():
        where: Path = (*at, "treatments", tid)
        if tid not in pb.treatments:
            yield where, f"{tid!r} is not a treatment of this playbook"
        for name in ("check_in_days", "recall_days"):
            days = getattr(cycle, name)
            if days is not None and days < 1:
                yield (*where, name), "must be at least 1 day"
        if cycle.series is not None:
            if cycle.series.sessions < 2:
                yield (*where, "series", "sessions"), "a series has at least 2 sessions"
            if cycle.series.every_days < 1:
                yield (*where, "series", "every_days"), "must be at least 1 day"
        check_in, recall = cycle.check_in_days, cycle.recall_days
        if check_in is not None and recall is not None and recall <= check_in:
            yield (*where, "recall_days"), "the recall must come after the check-in"
    for key, message in lc.messages.items():
        if key not in MESSAGE_KEYS:
            yield (*at, "messages", key), f"unknown message {key!r} (one of {', '.join(MESSAGE_KEYS)})"
        for lang in ("en", "es"):
            template = getattr(message, lang)
            unknown = set() if template is None else placeholders(template) - LIFECYCLE_PLACEHOLDERS
            if unknown:
                yield (*at, "messages", key, lang), f"unknown placeholder {{{sorted(unknown)[0]}}}"
    if lc.treatments:
        needed = [k for k in TOUCH_KINDS if _used(lc, k) and k not in lc.messages]
        for kind in needed:
            yield (*at, "messages"), f"missing the {kind!r} message (a rule of this playbook sends it)"
    for reason in lc.suppress:
        if reason not in SUPPRESSION_REASONS:
            yield (*at, "suppress"), f"unknown suppression reason {reason!r} (one of {', '.join(SUPPRESSION_REASONS)})"
    for name, url in lc.review_links.items():
        if not url.startswith("https://"):
            yield (*at, "review_links", name), "a review link must be an https URL"
    for name in ("intake_form", "outbound_webhook"):
        url = getattr(lc, name)
        if url is not None and not url.startswith("https://"):
            yield (*at, name), "must be an https URL"
    seg = lc.segments
    if not 0 < seg.active_days < seg.at_risk_days < seg.lapsed_days:
        yield (*at, "segments"), "needs 0 < active_days < at_risk_days < lapsed_days"
    if lc.send_hours.closes <= lc.send_hours.opens:
        yield (*at, "send_hours", "closes"), "must be after opens"
    if lc.cooldown_days < 0:
        yield (*at, "cooldown_days"), "must not be negative"


def _used(lc: Lifecycle, kind: str) -> bool:
    """Whether some rule of the playbook sends this kind of touch."""
    cycles = lc.treatments.values()
    if kind == "check_in":
        return any(c.check_in_days is not None for c in cycles)
    if kind == "recall":
        return any(c.recall_days is not None for c in cycles)
    if kind == "series":
        return any(c.series is not None for c in cycles)
    if kind == "review_request":
        return bool(lc.review_links)
    return True  # confirmation and win-back follow every treatment with a cycle
