"""Cross-field checks of a playbook that a schema cannot express; each problem names its YAML path."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dm_bot.domain.lifecycle_rules import lifecycle_problems
from dm_bot.domain.models import INTENTS, TREATMENTS
from dm_bot.domain.playbook import OPTIONAL_TEXTS, REQUIRED_TEXTS, WEEKDAYS, Playbook
from dm_bot.domain.replies import PLACEHOLDERS, placeholders
from dm_bot.domain.texts import Localized

Path = tuple[str | int, ...]
Problem = tuple[Path, str]

QUICK_REPLY_TITLE = 20  # Instagram's limit on a quick-reply title (channels.md)
ASKABLE = ("timeline", "first_time", "budget")
MONEY = re.compile(r"\$\s?\d")


def problems(pb: Playbook) -> list[Problem]:
    checks = (_zone, _treatments, _links, _texts, _spanish, _faq, _sla, _hours, _qualifying, _quick_replies,
              _campaigns, lifecycle_problems)
    return [problem for check in checks for problem in check(pb)]


def _zone(pb: Playbook) -> Iterator[Problem]:
    try:
        ZoneInfo(pb.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield ("timezone",), f"unknown time zone {pb.timezone!r} (use an IANA name such as America/Chicago)"


def _https(url: str | None) -> bool:
    return url is None or url.startswith("https://")


def _treatments(pb: Playbook) -> Iterator[Problem]:
    for tid, offer in pb.treatments.items():
        at: Path = ("treatments", tid)
        if tid not in TREATMENTS:
            yield at, f"unknown treatment id {tid!r} (see nlu-labels.md)"
        if offer.price is not None:
            if offer.price.amount <= 0:
                yield (*at, "price", "amount"), "a price must be positive"
            if offer.price.up_to is not None and offer.price.up_to <= offer.price.amount:
                yield (*at, "price", "up_to"), "up_to must be above amount"
            if not offer.booking_url:
                yield (*at, "booking_url"), "a priced treatment needs its booking link"
        if not _https(offer.booking_url):
            yield (*at, "booking_url"), "a booking link must be an https URL"
        alt = offer.cheaper_alternative
        if alt is not None:
            alt_offer = pb.treatments.get(alt)
            if alt_offer is None or alt == tid:
                yield (*at, "cheaper_alternative"), f"{alt!r} is not another treatment of this playbook"
            elif alt_offer.price is None or offer.price is None or alt_offer.price.threshold >= offer.price.threshold:
                yield (*at, "cheaper_alternative"), f"{alt!r} needs a price below this treatment's"
    for cid, item in pb.content.items():
        if item.treatment is not None and item.treatment not in pb.treatments:
            yield ("content", cid, "treatment"), f"{item.treatment!r} is not a treatment of this playbook"
    for i, tid in enumerate(pb.top_treatments):
        if tid not in pb.treatments:
            yield ("top_treatments", i), f"{tid!r} is not a treatment of this playbook"


def _links(pb: Playbook) -> Iterator[Problem]:
    for name in ("consultation", "reschedule", "membership"):
        if not _https(getattr(pb.links, name)):
            yield ("links", name), "a link must be an https URL"
    if "@" not in pb.contact.business_email:
        yield ("contact", "business_email"), "not an email address"


def _texts(pb: Playbook) -> Iterator[Problem]:
    for key in REQUIRED_TEXTS:
        if key not in pb.texts or not pb.texts[key].en.strip():
            yield ("texts", key), f"missing text {key!r} (every reply the bot sends needs one)"
    for key, entry in pb.texts.items():
        if key not in REQUIRED_TEXTS and key not in OPTIONAL_TEXTS:
            yield ("texts", key), f"{key!r} is not a text the bot sends"
        for lang in ("en", "es"):
            template = entry.get(lang)
            if template is None:
                continue
            unknown = placeholders(template) - PLACEHOLDERS
            if unknown:
                yield ("texts", key, lang), f"unknown placeholder {{{sorted(unknown)[0]}}}"
            if MONEY.search(template):
                yield ("texts", key, lang), "a money amount belongs in a treatment's price, not in a text"


def _localized(pb: Playbook) -> Iterator[tuple[Path, Localized]]:
    """Every text the prospect may read, with its path."""
    for key, entry in pb.texts.items():
        yield ("texts", key), entry
    yield ("financing",), pb.financing
    for tid, offer in pb.treatments.items():
        yield ("treatments", tid, "name"), offer.name
        if offer.info is not None:
            yield ("treatments", tid, "info"), offer.info
        if offer.price is not None:
            yield ("treatments", tid, "price", "unit"), offer.price.unit
    for key, faq in pb.faq.items():
        yield ("faq", key, "answer"), faq.answer
    for i, option in enumerate(pb.greeting_options):
        yield ("greeting_options", i), option


def _spanish(pb: Playbook) -> Iterator[Problem]:
    """Spanish is all or nothing: a half-translated spa would answer a Spanish speaker in two languages."""
    entries = list(_localized(pb))
    if not any(entry.es for _, entry in entries):
        return
    for path, entry in entries:
        if not entry.es:
            yield (*path, "es"), "missing Spanish text (the playbook has Spanish, so every text needs it)"


def _faq(pb: Playbook) -> Iterator[Problem]:
    for key, entry in pb.faq.items():
        if entry.treatment is not None and entry.treatment not in pb.treatments:
            yield ("faq", key, "treatment"), f"{entry.treatment!r} is not a treatment of this playbook"
        for i, intent in enumerate(entry.intents):
            if intent not in INTENTS:
                yield ("faq", key, "intents", i), f"unknown intent {intent!r}"
        if not entry.keywords and not entry.fallback:
            yield ("faq", key, "keywords"), "an entry without keywords is never found (or mark it fallback)"


def _sla(pb: Playbook) -> Iterator[Problem]:
    for priority in ("urgent", "high", "normal", "low"):
        minutes = pb.sla.minutes(priority)
        if minutes is not None and minutes <= 0:
            yield ("sla", f"{priority}_minutes"), "minutes must be positive (or null for no SLA)"
    if not 0 < pb.sla.warning_at < 1:
        yield ("sla", "warning_at"), "the warning must fall between 0 and 1 of the target"
    if not 0 < pb.sla.urgent_target <= 1:
        yield ("sla", "urgent_target"), "the share of urgent escalations answered in time must be above 0, at most 1"
    if not 0 < pb.nudge_delay_hours < 24:
        yield ("nudge_delay_hours",), "the nudge must go out inside the platforms' 24-hour reply window"
    if pb.takeover_pause_hours <= 0:
        yield ("takeover_pause_hours",), "the takeover pause must be positive"


def _hours(pb: Playbook) -> Iterator[Problem]:
    open_somewhere = False
    for day in WEEKDAYS:
        blocks = sorted(getattr(pb.hours, day), key=lambda b: b.opens)
        for i, block in enumerate(blocks):
            open_somewhere = True
            if block.opens >= block.closes:
                yield ("hours", day, i), "a block must open before it closes (same day)"
            if i and blocks[i - 1].closes > block.opens:
                yield ("hours", day, i), "blocks of a day must not overlap"
    if not open_somewhere:
        yield ("hours",), "the spa is never open: no SLA clock could run"


def _qualifying(pb: Playbook) -> Iterator[Problem]:
    for i, slot in enumerate(pb.qualifying.ask):
        if slot not in ASKABLE:
            yield ("qualifying", "ask", i), f"cannot ask {slot!r} (one of {', '.join(ASKABLE)})"
    if not 0 <= pb.qualifying.max_questions_before_link <= 2:
        yield ("qualifying", "max_questions_before_link"), "at most two questions before the link"


def _quick_replies(pb: Playbook) -> Iterator[Problem]:
    titles: list[tuple[Path, Localized]] = [(("greeting_options", i), o) for i, o in enumerate(pb.greeting_options)]
    titles += [(("treatments", t, "name"), pb.treatments[t].name) for t in pb.top_treatments if t in pb.treatments]
    for path, title in titles:
        for lang, value in (("en", title.en), ("es", title.es)):
            if value is not None and len(value) > QUICK_REPLY_TITLE:
                yield (*path, lang), f"a quick reply title has at most {QUICK_REPLY_TITLE} characters"


PRIVATE_REPLY_BYTES = 1000 - 80  # Instagram's 1000 bytes, less room for the tracked link that replaces {link}


def _campaigns(pb: Playbook) -> Iterator[Problem]:
    """Comment campaigns (issue 16): what they answer, with which link, in every language the spa speaks."""
    spanish = any(entry.es for entry in pb.texts.values())
    for name, campaign in pb.comment_campaigns.items():
        at: Path = ("comment_campaigns", name)
        if isinstance(campaign.posts, str) and campaign.posts != "all":
            yield (*at, "posts"), f"posts is `all` or a list of post and reel ids, not {campaign.posts!r}"
        if not campaign.keywords and not campaign.without_keyword:
            yield (*at, "keywords"), "a campaign needs its keywords (or without_keyword: true)"
        for i, keyword in enumerate(campaign.keywords):
            if not keyword.strip():
                yield (*at, "keywords", i), "a keyword cannot be blank"
        if campaign.link is not None and campaign.link not in pb.treatments:
            close = difflib.get_close_matches(campaign.link, list(pb.treatments), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield (*at, "link"), f"{campaign.link!r} is not a treatment of this playbook{hint}"
        replies = [("private_reply", campaign.private_reply)]
        if campaign.public_reply is not None:
            replies.append(("public_reply", campaign.public_reply))
        for key, entry in replies:
            for lang in ("en", "es"):
                template = entry.get(lang)
                if template is None:
                    if lang == "es" and spanish:
                        yield (*at, key, "es"), "missing Spanish text (the playbook has Spanish)"
                    continue
                unknown = placeholders(template) - PLACEHOLDERS
                if unknown:
                    yield (*at, key, lang), f"unknown placeholder {{{sorted(unknown)[0]}}}"
                if key == "private_reply" and "{link}" not in template:
                    yield (*at, key, lang), "the private reply carries the tracked booking link: put {link} in it"
                if len(template.encode("utf-8")) > PRIVATE_REPLY_BYTES:
                    yield (*at, key, lang), f"at most {PRIVATE_REPLY_BYTES} bytes (Instagram takes 1000 with the link)"
    for source, label in pb.source_names.items():
        if not label.strip():
            yield ("source_names", source), "a name cannot be blank"
