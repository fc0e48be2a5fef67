"""TreatmentMatcher: the canonical treatment ids of nlu-labels.md named in a DM."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dm_bot.domain.models import TREATMENTS
from dm_bot.nlu.data import INTENTS_DIR
from dm_bot.nlu.treatments import TreatmentMatcher


@pytest.fixture(scope="module")
def matcher() -> TreatmentMatcher:
    return TreatmentMatcher.load()


# One everyday message per id of the table (nlu-labels.md "Treatments").
ONE_PER_ID = {
    "neurotoxin": "how much is botox for my forehead?",
    "lip_filler": "do you do lip filler?",
    "dermal_filler": "looking for cheek filler",
    "kybella": "is kybella worth it",
    "laser_hair_removal": "price for laser hair removal on my underarms",
    "ipl_photofacial": "do you offer IPL photofacials",
    "laser_resurfacing": "how long is the downtime for a CO2 laser",
    "microneedling": "interested in RF microneedling",
    "chemical_peel": "can I book a VI peel",
    "facial": "how much is a hydrafacial",
    "body_contouring": "coolsculpting on my belly?",
    "skin_tightening": "what does ultherapy cost",
    "weight_loss": "do you have semaglutide?",
    "iv_therapy": "can I get a NAD+ drip saturday",
    "prp": "PRP for hair loss",
    "pdo_threads": "how long does a thread lift last",
    "tattoo_removal": "do you do tattoo removal",
    "hormone_therapy": "I'm interested in BHRT",
    "sclerotherapy": "I want to get rid of my spider veins",
}


def test_every_treatment_id_has_an_example() -> None:
    assert set(ONE_PER_ID) == set(TREATMENTS)


@pytest.mark.parametrize(("treatment", "text"), sorted(ONE_PER_ID.items()))
def test_finds_each_treatment_id(matcher: TreatmentMatcher, treatment: str, text: str) -> None:
    assert matcher.find(text) == (treatment,)


def test_every_lexicon_term_is_found_as_its_own_id(matcher: TreatmentMatcher) -> None:
    lexicon = yaml.safe_load((INTENTS_DIR / "treatments.yaml").read_text(encoding="utf-8"))
    wrong = {
        term: matcher.find(term)
        for treatment, terms in lexicon["treatments"].items()
        for term in terms
        if matcher.find(term) != (treatment,)
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how much is filler", ("dermal_filler",)),
        ("I want filler in my lips", ("lip_filler",)),
        ("how much to get my lips done", ("lip_filler",)),
        ("Kysse or Volbella?", ("lip_filler",)),
        ("I want juvederm in my lips done", ("lip_filler",)),
        ("lip filler, which filler brand do you use?", ("lip_filler",)),
        ("lip flip and filler", ("neurotoxin", "dermal_filler")),
        ("volbella in my lips", ("lip_filler",)),
        ("Juvederm for my cheeks", ("dermal_filler",)),
        ("restylane price", ("dermal_filler",)),
        ("juvederm in my lips", ("lip_filler",)),
        ("botox in my lips", ("neurotoxin",)),
        ("botox for my lips and filler for my cheeks", ("neurotoxin", "dermal_filler")),
        ("how much is a lip flip", ("neurotoxin",)),
        ("book me in for lips friday", ("lip_filler",)),
        ("mis labios quedaron disparejos", ("lip_filler",)),
        ("laser for my upper lip hair", ("laser_hair_removal",)),
        ("my lips are so chapped lol", ()),
        ("tox and lips pls", ("neurotoxin", "lip_filler")),
        ("how many units for crows feet", ("neurotoxin",)),
        ("30 units of dysport in my forehead", ("neurotoxin",)),
        ("is 15 units of semaglutide a lot", ("weight_loss",)),
        ("need to move my pellet appt", ("hormone_therapy",)),
        ("liquid rhino price", ("dermal_filler",)),
        ("my tatto is barely lighter after 5 sessions", ("tattoo_removal",)),
        ("tattoo removel for a wrist tattoo", ("tattoo_removal",)),
        ("downtime after a thred lift?", ("pdo_threads",)),
        ("vampier facial price", ("microneedling",)),
        ("morpheous 8 or co2", ("microneedling", "laser_resurfacing")),
        ("hablo con alguien del equipo", ()),  # "hablo" is one edit from "halo" but not inside a name
        ("on the flip side, is it worth it", ()),
        ("baby botox", ("neurotoxin",)),
        ("masseter tox for my jaw", ("neurotoxin",)),
        ("trap tox", ("neurotoxin",)),
        ("botox for sweating, I have hyperhidrosis", ("neurotoxin",)),
        ("vampire facial", ("microneedling",)),
        ("PRP microneedling", ("microneedling",)),
        ("PRP for my thinning hair", ("prp",)),
        ("PRF under eyes", ("prp",)),
        ("laser", ()),
        ("do you have a laser?", ()),
        ("laser for my legs", ("laser_hair_removal",)),
        ("laser tattoo removal", ("tattoo_removal",)),
        ("my skin is peeling after the facial", ("facial",)),
        ("a facial and some botox", ("facial", "neurotoxin")),
    ],
)
def test_applies_the_mapping_rules(matcher: TreatmentMatcher, text: str, expected: tuple[str, ...]) -> None:
    assert matcher.find(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("botx", "neurotoxin"),
        ("how much is bottox", "neurotoxin"),
        ("juviderm", "dermal_filler"),
        ("morpheus 8", "microneedling"),
        ("cool sculpting on my flanks", "body_contouring"),
        ("hydra facial", "facial"),
        ("microneedeling", "microneedling"),
        ("micro needeling", "microneedling"),
        ("dysprot", "neurotoxin"),
        ("restalyne", "dermal_filler"),
        ("ozempik", "weight_loss"),
        ("sclerotheraphy", "sclerotherapy"),
    ],
)
def test_finds_misspelt_and_split_names(matcher: TreatmentMatcher, text: str, expected: str) -> None:
    assert matcher.find(text) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("relleno de labios", ("lip_filler",)),
        ("cuánto cuesta el bótox", ("neurotoxin",)),
        ("depilación láser en las axilas", ("laser_hair_removal",)),
        ("hilos tensores", ("pdo_threads",)),
        ("quiero quitarme un tatuaje", ("tattoo_removal",)),
        ("cuánto cuesta el peeling químico", ("chemical_peel",)),
        ("limpieza facial", ("facial",)),
        ("relleno en las ojeras", ("dermal_filler",)),
        ("inyecciones para bajar de peso", ("weight_loss",)),
        ("plasma rico en plaquetas para el cabello", ("prp",)),
    ],
)
def test_finds_spanish_names(matcher: TreatmentMatcher, text: str, expected: tuple[str, ...]) -> None:
    assert matcher.find(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I want to file a complaint",
        "that was a killer deal, feeling fuller already",
        "this is toxic",
        "can I come later today",
        "we make booking software for spas",
        "nadie me contesta",
        "how much is it, my max is 500",
        "my facial hair is so annoying",
        "thanks, see you soon!",
    ],
)
def test_ordinary_words_are_not_treatments(matcher: TreatmentMatcher, text: str) -> None:
    assert matcher.find(text) == ()


def test_ids_come_in_the_order_first_named_without_duplicates(matcher: TreatmentMatcher) -> None:
    found = matcher.find("botox, dysport and xeomin, then a hydrafacial and another botox")
    assert found == ("neurotoxin", "facial")
    assert matcher.find("a hydrafacial or botox?") == ("facial", "neurotoxin")


@pytest.mark.parametrize("text", ["", "   ", "😍😍😍", "안녕하세요", "\x00\x1f\x7f", "botox " * 4000])
def test_odd_input_never_raises(matcher: TreatmentMatcher, text: str) -> None:
    assert isinstance(matcher.find(text), tuple)


def test_loads_a_lexicon_from_a_given_path(tmp_path: Path) -> None:
    source = yaml.safe_load((INTENTS_DIR / "treatments.yaml").read_text(encoding="utf-8"))
    source["treatments"]["neurotoxin"].append("wrinkle juice")
    path = tmp_path / "treatments.yaml"
    path.write_text(yaml.safe_dump(source), encoding="utf-8")
    assert TreatmentMatcher.load(path).find("how much is wrinkle juice") == ("neurotoxin",)


def test_rejects_a_lexicon_naming_an_unknown_id(tmp_path: Path) -> None:
    path = tmp_path / "treatments.yaml"
    path.write_text("treatments:\n  teeth_whitening: [whitening]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown ids"):
        TreatmentMatcher.load(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_text_never_raises(matcher: TreatmentMatcher, text: str) -> None:
    assert isinstance(matcher.find(text), tuple)
