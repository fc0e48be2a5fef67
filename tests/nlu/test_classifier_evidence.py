"""Short messages must show evidence before the classifier calls them spam or a medical concern."""

from __future__ import annotations

import pytest

from dm_bot.nlu import SpacyClassifier, load_classifier


@pytest.fixture(scope="module")
def classifier() -> SpacyClassifier:
    return load_classifier()


@pytest.mark.parametrize("text", ["asdfgh", "qwpoeiru", "zzqx vbnm"])
def test_a_keyboard_mash_is_other_not_spam(classifier: SpacyClassifier, text: str) -> None:
    assert classifier.classify(text).intent == "other"


@pytest.mark.parametrize("text", ["click here to verify your page", "follow me for promo www.x.com"])
def test_spam_with_a_spam_cue_stays_spam(classifier: SpacyClassifier, text: str) -> None:
    assert classifier.classify(text).intent == "spam"


@pytest.mark.parametrize("text", ["lip filler", "filler"])
def test_a_bare_treatment_name_is_not_a_medical_concern(classifier: SpacyClassifier, text: str) -> None:
    understood = classifier.classify(text)
    assert understood.intent != "medical_concern" and not understood.urgent


@pytest.mark.parametrize("text", ["swollen lip", "bruising?", "purple lip!!", "vision blurry"])
def test_a_short_symptom_is_still_a_medical_concern(classifier: SpacyClassifier, text: str) -> None:
    assert classifier.classify(text).intent == "medical_concern"


def test_a_doubled_letter_typo_still_books(classifier: SpacyClassifier) -> None:
    assert classifier.classify("boook me 4 botx asap plz").intent == "booking"


@pytest.mark.parametrize("text", ["blorp flibber wug", "xqzv wplk trrr"])
def test_words_the_model_never_saw_are_not_understood(classifier: SpacyClassifier, text: str) -> None:
    understood = classifier.classify(text)
    assert understood.intent == "other" and not understood.urgent


def test_a_short_message_is_an_opt_out_only_when_it_asks_to_stop(classifier: SpacyClassifier) -> None:
    assert classifier.classify("stop").intent == "opt_out"
    assert classifier.classify("stop texting me").intent == "opt_out"
    assert classifier.classify("blorp flibber wug").intent != "opt_out"


def test_a_charge_for_a_treatment_that_did_not_work_is_a_complaint(classifier: SpacyClassifier) -> None:
    text = "u charged me $500 for botox that didnt even work, how much is a touch up??"
    assert classifier.classify(text).intent == "complaint"


def test_a_few_words_that_name_nothing_to_price_are_not_a_price_question() -> None:
    from dm_bot.nlu.classifier import load_classifier

    classifier = load_classifier()
    assert classifier.classify("xq bff zzz").intent != "pricing"
    assert classifier.classify("prices").intent == "pricing"
    reading = classifier.classify("what can i do with 150?")
    assert reading.budget is not None and reading.budget.max == 150
