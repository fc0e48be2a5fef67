"""The precedence rules of nlu-labels.md over the intent model's scores, and the cue phrases that trigger them."""

from __future__ import annotations

import pytest

from dm_bot.domain.models import INTENTS
from dm_bot.nlu.precedence import RULE_CONFIDENCE, TIP_FLOOR, CuePhrases, Cues, cue_text, decide
from dm_bot.nlu.text import normalize


def scores(**given: float) -> dict[str, float]:
    """A full score table: the given intents, the rest of the mass spread evenly."""
    rest = (1.0 - sum(given.values())) / (len(INTENTS) - len(given))
    return {label: given.get(label, rest) for label in INTENTS}


@pytest.fixture(scope="module")
def phrases() -> CuePhrases:
    return CuePhrases.load()


@pytest.mark.parametrize("top", [label for label in INTENTS if label != "medical_concern"])
def test_medical_cue_beats_every_other_intent(top: str) -> None:
    verdict = decide(scores(**{top: 0.9}), Cues(medical=True))
    assert verdict.intent == "medical_concern"
    assert verdict.confidence >= RULE_CONFIDENCE


def test_urgent_message_is_a_medical_concern_even_when_the_model_says_booking() -> None:
    assert decide(scores(booking=0.95), Cues(urgent=True, medical=True)).intent == "medical_concern"
    assert Cues.of(frozenset(), urgent=True).medical  # an emergency is a medical matter


@pytest.mark.parametrize("top", ["pricing", "booking", "complaint", "partnership", "treatment_info", "greeting"])
def test_opt_out_beats_everything_except_medical_concern(top: str) -> None:
    assert decide(scores(**{top: 0.9}), Cues(opt_out=True)).intent == "opt_out"
    assert decide(scores(**{top: 0.9}), Cues(opt_out=True, medical=True)).intent == "medical_concern"


@pytest.mark.parametrize("top", ["pricing", "booking"])
def test_complaint_beats_pricing_and_booking(top: str) -> None:
    verdict = decide(scores(**{top: 0.7, "complaint": 0.2}), Cues(complaint=True))
    assert (verdict.intent, verdict.rule) == ("complaint", "complaint beats pricing and booking")


def test_complaint_cue_leaves_other_intents_alone() -> None:
    # "uneven skin tone, what do you suggest?" is a question, not a complaint: the rule is about pricing and booking
    assert decide(scores(treatment_info=0.7, complaint=0.2), Cues(complaint=True)).intent == "treatment_info"


def test_booking_beats_pricing_when_an_appointment_is_wanted() -> None:
    assert decide(scores(pricing=0.6, booking=0.3), Cues(booking=True, pricing=True)).intent == "booking"


def test_pricing_beats_treatment_info() -> None:
    assert decide(scores(treatment_info=0.6, pricing=0.3), Cues(pricing=True)).intent == "pricing"


def test_a_cue_does_not_overrule_a_model_that_rules_its_intent_out() -> None:
    table = {label: 0.0 for label in INTENTS} | {"treatment_info": 1.0}
    assert TIP_FLOOR["pricing"] > 0
    assert decide(table, Cues(pricing=True)).intent == "treatment_info"


def test_model_top_intent_stands_without_cues() -> None:
    verdict = decide(scores(hours_location=0.55), Cues())
    assert verdict.intent == "hours_location"
    assert verdict.confidence == pytest.approx(0.55)
    assert verdict.rule is None


def test_cues_are_found_in_spanish_and_english(phrases: CuePhrases) -> None:
    assert "complaint" in phrases.found(cue_text(normalize("quiero que me devuelvan mi dinero, quiero un reembolso")))
    assert "booking" in phrases.found(cue_text(normalize("how much is botox, can I come friday?")))
    assert "pricing" in phrases.found(cue_text(normalize("¿Cuánto cuesta el relleno?")))


def test_rule_cues_become_the_cues_of_the_rules(phrases: CuePhrases) -> None:
    cues = Cues.of(phrases.found(cue_text(normalize("how much is it? I want a refund"))))
    assert (cues.pricing, cues.complaint, cues.booking, cues.opt_out) == (True, True, False, False)


def test_every_cue_file_group_compiles() -> None:
    # opt_out is read by dm_bot/nlu/opt_out.py (tests/nlu/test_opt_out.py), not by a cue group
    assert set(CuePhrases.load("precedence.yaml").groups) == {"complaint", "booking", "pricing", "price_question",
                                                                 "person_request", "place_question", "haggle"}


@pytest.mark.parametrize("top", ["other", "greeting"])
def test_a_price_question_is_pricing_even_when_the_model_reads_thanks_or_small_talk(top: str) -> None:
    assert decide(scores(**{top: 0.95}), Cues(price_question=True)).intent == "pricing"
    assert decide(scores(treatment_info=0.95), Cues(price_question=True)).intent == "treatment_info"


@pytest.mark.parametrize("text", ["omg love this 😍 how much?", "how much", "price??", "cuanto?", "$$?"])
def test_price_questions_are_found_however_short(phrases: CuePhrases, text: str) -> None:
    assert "price_question" in phrases.found(cue_text(normalize(text)))
    assert "hours_location" in CuePhrases.load("intent_cues.yaml").groups


def test_a_haggle_is_pricing_not_a_complaint_unless_a_grievance_is_named() -> None:
    # "thats a lot 😬 any wiggle room?"
    assert decide(scores(complaint=0.8, pricing=0.01), Cues(haggle=True)).intent == "pricing"
    # "my lips are uneven and you want me to pay again? any wiggle room": the grievance stands
    assert decide(scores(complaint=0.8, pricing=0.01), Cues(haggle=True, complaint=True)).intent == "complaint"
    # "can u do $10 a unit? the place down the street does": read as a question about the treatment
    assert decide(scores(treatment_info=0.8), Cues(haggle=True)).intent == "pricing"


@pytest.mark.parametrize("top", ["other", "greeting", "hours_location"])
def test_a_booking_request_is_booking_not_small_talk(top: str) -> None:
    # "link?", "send me the booking link"
    assert decide(scores(**{top: 0.8, "booking": 0.1}), Cues(booking=True)).intent == "booking"
    # but a question about the hours that also says "can i come in" stays the hours' when it asks where
    assert decide(scores(hours_location=0.8), Cues(booking=True, place_question=True)).intent == "hours_location"


@pytest.mark.parametrize(
    ("text", "group"),
    [("how much & when can i come in", "price_question"), ("hw much 4 laser hair removal", "price_question"),
     ("hola guys cuanto el botox", "price_question"), ("cuanto is this??", "price_question"),
     ("link?", "booking"), ("send me the link pls", "booking"), ("do you have saturday?", "booking"),
     ("any wiggle room?", "haggle"), ("can u do $10 a unit?", "haggle"), ("me lo dejas en 500?", "haggle")],
)
def test_casual_price_booking_and_haggle_phrasings_are_found(phrases: CuePhrases, text: str, group: str) -> None:
    assert group in phrases.found(cue_text(normalize(text)))
