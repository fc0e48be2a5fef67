"""SpacyClassifier with the shipped model: the nlu-labels.md record for a DM, whatever the DM is."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dm_bot.domain.models import INTENTS, TREATMENTS, Budget
from dm_bot.nlu import SpacyClassifier, load_classifier
from dm_bot.nlu.classifier import Extractors
from dm_bot.nlu.intent_model import MODEL_DIR
from dm_bot.nlu.urgency import UrgencyDetector


@pytest.fixture(scope="module")
def classifier() -> Iterator[SpacyClassifier]:
    yield load_classifier()


def test_shipped_model_loads_offline_and_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("loading the classifier must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    started = time.perf_counter()
    loaded = load_classifier()
    assert time.perf_counter() - started < 10  # 3 s on an idle core; generous for a busy CI box
    assert loaded.classify("hi").intent == "greeting"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how much is lip filler? budget is like 500", "pricing"),
        ("how much is botox, can I come friday?", "booking"),  # booking beats pricing
        ("my lips are uneven and nobody called me back", "complaint"),
        ("can I get botox while breastfeeding", "medical_concern"),
        ("don't message me again", "opt_out"),
        ("where are you located", "hours_location"),
        ("can I talk to a real person", "human_request"),
        ("hola", "greeting"),
        ("👍", "other"),
    ],
)
def test_examples_of_the_label_spec_get_their_intent(classifier: SpacyClassifier, text: str, intent: str) -> None:
    assert classifier.classify(text).intent == intent


def test_record_carries_treatments_budget_and_language(classifier: SpacyClassifier) -> None:
    understood = classifier.classify("how much is lip filler? budget is like 500")
    assert understood.treatments == ("lip_filler",)
    assert understood.budget == Budget(min=500, max=500)
    assert understood.language == "en"
    assert classifier.classify("hola, ¿cuánto cuesta el botox?").language == "es"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("how much is botox, can I come friday?", True),
        ("price for lip filler and do you have anything saturday", True),
        ("can I come friday for botox?", False),
        ("cuanto cuesta el botox? tienen citas el sabado", True),
    ],
)
def test_a_price_asked_beside_another_purpose_is_noted(classifier: SpacyClassifier, text: str, asks: bool) -> None:
    assert classifier.classify(text).asks_price is asks


def test_possible_emergency_is_urgent_and_a_medical_concern(classifier: SpacyClassifier) -> None:
    understood = classifier.classify("my lip is turning white after my filler this morning")
    assert understood.urgent
    assert understood.intent == "medical_concern"


class PhraseRulesSeeNothing(UrgencyDetector):
    """The urgency detector with no phrase rule firing: what the model does on a wording the rules miss."""

    def is_urgent(self, text: str) -> bool:
        return False

    def has_medical_cue(self, text: str) -> bool:
        return False


def test_model_backs_up_the_urgency_rules_on_an_emergency_they_miss() -> None:
    real = Extractors.load()
    blind = Extractors(real.treatments, PhraseRulesSeeNothing.load(), real.budget, real.language, real.rule_cues,
                       real.intent_cues)
    classifier = SpacyClassifier(spacy.load(MODEL_DIR), blind)
    understood = classifier.classify("my lip is turning white after my filler this morning")
    assert (understood.intent, understood.urgent) == ("medical_concern", True)
    assert not classifier.classify("is bruising normal after filler?").urgent


@pytest.mark.parametrize(
    "text",
    [
        "my skin is pink and stings after the peel this morning, no blisters at all",
        "had a burn from a laser years ago, it healed fine. is co2 safe for me?",
    ],
)
def test_the_model_never_brings_back_an_emergency_the_words_rule_out(classifier: SpacyClassifier, text: str) -> None:
    understood = classifier.classify(text)
    assert (understood.intent, understood.urgent) == ("medical_concern", False)


def test_ordinary_bruising_is_a_medical_concern_but_not_urgent(classifier: SpacyClassifier) -> None:
    understood = classifier.classify("is bruising normal after filler?")
    assert (understood.intent, understood.urgent) == ("medical_concern", False)


def test_opt_out_wins_over_a_price_question(classifier: SpacyClassifier) -> None:
    assert classifier.classify("how much is botox? actually never mind, stop messaging me").intent == "opt_out"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x" * 20_000, "how much " * 3_000, "😍😍😍", "👋", "привет, сколько стоит?", "你好", "مرحبا",
     "\x00\x01\x02\x1b[31m", "\ud800 broken surrogate", "\u200b\u200b", "🙂" * 5_000, "$$$ 1000000000000000000000",
     "stop\x00", "\t\n\r"],
)
def test_bad_input_gives_a_valid_record(classifier: SpacyClassifier, text: str) -> None:
    understood = classifier.classify(text)
    assert_valid(understood.intent, understood.treatments, understood.confidence)
    assert understood.as_record(text)["text"] == text


def test_text_without_words_is_greeting_or_other(classifier: SpacyClassifier) -> None:
    for text in ("", "😍😍😍", "👋", "你好", "...", "\x00"):
        assert classifier.classify(text).intent in ("greeting", "other")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gives_a_valid_record_with_confidence_in_0_1(classifier: SpacyClassifier, text: str) -> None:
    understood = classifier.classify(text)
    assert_valid(understood.intent, understood.treatments, understood.confidence)


def assert_valid(intent: str, treatments: tuple[str, ...], confidence: float) -> None:
    assert intent in INTENTS
    assert all(t in TREATMENTS for t in treatments)
    assert list(treatments) == sorted(set(treatments))
    assert 0.0 <= confidence <= 1.0


def test_a_stop_beside_a_medical_matter_is_kept_for_the_policy(classifier: SpacyClassifier) -> None:
    u = classifier.classify("Please stop. I'm going through chemo and these weight loss ads are hurtful.")
    assert u.intent == "medical_concern" and u.asks_stop
    assert not classifier.classify("is bruising normal after filler?").asks_stop
    assert classifier.classify("stop texting me").asks_stop


def test_a_treatment_turned_down_beside_another_is_no_opt_out(classifier: SpacyClassifier) -> None:
    u = classifier.classify("I'm not interested in filler but I am interested in botox, prices?")
    assert u.intent != "opt_out" and not u.asks_stop
