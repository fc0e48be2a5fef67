"""Rules every generated conversation keeps: playbook prices only, one question, no sales in medical replies."""

from __future__ import annotations

import re
from datetime import timedelta

from conftest import Chat, chicago, load, reply_of, understood
from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.domain.actions import BookingLink, Decision, MarkSpam, PriceQuote
from dm_bot.domain.models import INTENTS, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.replies import amount, format_price

MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")
TEXTS = ("hi", "how much?", "next week", "yes", "no", "thanks!", "500", "first time", "asdf", "hola", "👍",
         "my number is 512 555 0199", "not sure", "Lip filler", "")
TREATMENT_IDS = ("neurotoxin", "lip_filler", "laser_resurfacing", "facial", "tattoo_removal")

messages = st.tuples(
    st.sampled_from(TEXTS),
    st.builds(
        lambda intent, treatments, budget, urgent, language: understood(
            intent, *treatments, budget=budget, urgent=urgent, language=language
        ),
        st.sampled_from(INTENTS),
        st.lists(st.sampled_from(TREATMENT_IDS), max_size=2, unique=True),
        st.one_of(st.none(), st.tuples(st.none() | st.integers(50, 2000), st.none() | st.integers(50, 2000))),
        st.booleans(),
        st.sampled_from(("en", "es")),
    ),
    st.booleans(),  # carries a photo
    st.integers(0, 30),  # hours until the next message
)


def _playbook_amounts(pb: Playbook) -> set[str]:
    """Every money amount the playbook itself states: prices, and figures in its own answers."""
    found: set[str] = set()
    for offer in pb.treatments.values():
        if offer.price is not None:
            found |= {amount(offer.price.amount)} | ({amount(offer.price.up_to)} if offer.price.up_to else set())
            found |= {amount(offer.price.minimum_spend)} if offer.price.minimum_spend else set()
    answers = [e.answer for e in pb.faq.values()] + [o.info for o in pb.treatments.values() if o.info]
    for entry in answers:
        for text in (entry.en, entry.es or ""):
            found |= set(MONEY.findall(text))
    return found


def _check(pb: Playbook, u: Understanding, d: Decision) -> None:
    reply = reply_of(d)
    text = "" if reply is None else reply.text
    assert sum(1 for a in d.actions if a.name == "reply") <= 1
    assert text.count("?") <= 1, text
    assert set(MONEY.findall(text)) <= _playbook_amounts(pb), text
    for action in d.actions:
        if isinstance(action, PriceQuote):
            price = pb.treatments[action.treatment].price
            assert price is not None and format_price(pb, price, d.state.language if pb.speaks(d.state.language)
                                                      else "en") in text
        if isinstance(action, BookingLink):
            offer = pb.offer(action.treatment)
            url = pb.links.consultation if offer is None or not offer.booking_url else offer.booking_url
            assert url in text
    if u.urgent or u.intent == "medical_concern":
        assert not any(isinstance(a, (PriceQuote, BookingLink)) for a in d.actions)
        assert "http" not in text
    if u.intent == "spam" and not u.urgent:
        assert all(isinstance(a, MarkSpam) for a in d.actions)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(("demo-spa", "lakeside-spa")), st.lists(messages, min_size=1, max_size=6))
def test_every_reply_keeps_the_policy_rules(
    name: str, conversation: list[tuple[str, Understanding, bool, int]]
) -> None:
    pb = load(name)
    chat = Chat(pb, chicago(2026, 3, 10, 11))
    nudges = 0
    for text, u, photo, gap in conversation:
        d = chat.send(text, u, media=("image",) if photo else ())
        _check(pb, u, d)
        nudges += sum(1 for t in d.timers if t.kind == "nudge")
        chat.now += timedelta(hours=gap)
    assert nudges <= 1  # one nudge per conversation, ever
    assert len(set(chat.state.questions_asked)) == len(chat.state.questions_asked)  # never asked twice
