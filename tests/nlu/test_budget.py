"""parse_budget(): what the sender says they can spend (nlu-labels.md "Budget"), and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.domain.models import Budget
from dm_bot.nlu.budget import BudgetParser, parse_budget
from dm_bot.nlu.data import INTENTS_DIR

UP_TO = [
    "under 500",
    "less than $500",
    "no more than 500",
    "500 max",
    "up to 500",
    "500 tops",
    "below 500",
    "I can't spend more than 500",
    "nothing over 500 please",
    "my budget is under 500",
    "500 or less",
    "menos de 500",
    "máximo 500",
    "no más de 500",
    "hasta 500",
    "no puedo gastar más de 500",
]
BETWEEN = [
    "$300-500",
    "between 300 and 500",
    "300 to 500",
    "$300 - $500",
    "from 300 to 500",
    "budget 300-500",
    "entre 300 y 500",
    "de 300 a 500",
    "puedo gastar de 300 a 500",
]
EXACTLY = [
    "around 400",
    "about $400",
    "~400",
    "my budget is 400",
    "I have $400",
    "400ish",
    "roughly 400",
    "I can spend 400",
    "400 is my budget",
    "tengo 400",
    "como 400 dólares",
    "unos 400",
    "alrededor de 400",
    "mi presupuesto es 400",
    "I've got 400 to spend",
    "budget is like 400",
]
AT_LEAST = [
    "at least 1000",
    "over 1k",
    "1000+",
    "more than 1000",
    "1000 or more",
    "I'm ok spending 1000 or more",
    "al menos 1000",
    "más de 1000",
    "mínimo 1000",
    "mi presupuesto es de al menos 1000",
]


@pytest.mark.parametrize("text", UP_TO)
def test_reads_an_upper_limit(text: str) -> None:
    assert parse_budget(text) == Budget(min=None, max=500)


@pytest.mark.parametrize("text", BETWEEN)
def test_reads_a_range(text: str) -> None:
    assert parse_budget(text) == Budget(min=300, max=500)


@pytest.mark.parametrize("text", EXACTLY)
def test_reads_an_amount(text: str) -> None:
    assert parse_budget(text) == Budget(min=400, max=400)


@pytest.mark.parametrize("text", AT_LEAST)
def test_reads_a_lower_limit(text: str) -> None:
    assert parse_budget(text) == Budget(min=1000, max=None)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("my budget is 1k", 1000),
        ("my budget is 1.5k", 1500),
        ("I have 2 grand", 2000),
        ("my budget is $1,200", 1200),
        ("I have five hundred", 500),
        ("I have a grand", 1000),
        ("tengo mil", 1000),
        ("tengo dos mil", 2000),
        ("tengo mil quinientos", 1500),
        ("I have 500 dollars", 500),
        ("I have 500 bucks", 500),
        ("tengo 500 dólares", 500),
    ],
)
def test_reads_shorthand_words_and_separators(text: str, amount: float) -> None:
    assert parse_budget(text) == Budget(min=amount, max=amount)


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("my budget is 1-2k", Budget(min=1000, max=2000)),
        ("500-1k", Budget(min=500, max=1000)),
        ("up to like 500", Budget(min=None, max=500)),
        ("around 500 max", Budget(min=None, max=500)),
    ],
)
def test_combines_ranges_and_hedges(text: str, budget: Budget) -> None:
    assert parse_budget(text) == budget


@pytest.mark.parametrize(
    "text",
    [
        "how much is lip filler? budget is like 500",
        "what can I get for 500",
        "can I get lip filler for $500?",
        "is 500 enough for botox",
        "500",
        "$500",
        "like 500 i guess",
        "my budget? 500",
        "cuánto cuesta el botox? 500",
    ],
)
def test_reads_an_amount_the_sender_offers_or_answers_with(text: str) -> None:
    assert parse_budget(text) == Budget(min=500, max=500)


@pytest.mark.parametrize("text", ["cheap", "something affordable please", "what's the cheapest option", "hi!", ""])
def test_no_amount_is_no_budget(text: str) -> None:
    assert parse_budget(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "20 units",
        "I want 40 units",
        "2 syringes",
        "1 syringe please",
        "tengo 20 unidades",
        "2 jeringas",
        "half a syringe, 0.5 ml",
        "I'm 25",
        "25 years old",
        "I'm over 50, is botox ok?",
        "tengo 25 años",
        "61",
        "can I come at 3pm",
        "at 10:30",
        "can I book tomorrow at 2:30?",
        "call me at 555-201-3344",
        "my number is (555) 867-5309",
        "+1 305 555 0142",
        "march 15",
        "march 15 works",
        "3/15",
        "the 15th",
        "el 12 de marzo",
        "since 2019",
        "my zip is 90210",
        "20% off",
        "I lost 20 lbs",
        "we have 10k followers",
        "I have 500 in points",
        "I have 3 kids",
        "I have a fever of 101",
    ],
)
def test_counts_ages_times_dates_phones_and_units_are_not_a_budget(text: str) -> None:
    assert parse_budget(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "another place charges $10 a unit",
        "is it $650?",
        "saw $12/unit on your page",
        "is botox 14 a unit?",
        "is lip filler under 500?",
        "I paid $650 for lips 2 weeks ago",
        "you charged my card $400",
        "my old injector charged $450 a syringe, what's yours?",
        "Glow Med Spa is $129 for a hydrafacial",
        "botox is $300-500 at other places",
        "$99 for 20 units?",
        "en otro lugar cobran 10 dólares la unidad",
        "pagué 350 dólares y no veo ningún cambio",
        "I have 5000 pesos",
        "$500 for lip filler?",
    ],
)
def test_someone_elses_price_is_not_a_budget(text: str) -> None:
    assert parse_budget(text) is None


def test_a_budget_after_a_quoted_price_is_still_read() -> None:
    text = "another place charges $10 a unit but I can spend around 300"
    assert parse_budget(text) == Budget(min=300, max=300)


def test_a_price_question_with_a_budget_is_read() -> None:
    assert parse_budget("how much does it cost? around 400") == Budget(min=400, max=400)


@pytest.mark.parametrize("text", ["😍😍😍", "안녕하세요 500", "\x00\x01 500 \x7f", "5" * 20_000, "$" * 5000, "1,2,3,4"])
def test_odd_input_never_raises(text: str) -> None:
    budget = parse_budget(text)
    assert budget is None or budget.min is not None or budget.max is not None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"0123456789$k.,-+~ ", "under ", "max", " to ", "units", "a ", "mil"])).map("".join))
def test_any_text_of_numbers_and_cues_never_raises(text: str) -> None:
    budget = parse_budget(text)
    assert budget is None or budget.min is not None or budget.max is not None


def test_loads_cues_from_a_given_path(tmp_path: Path) -> None:
    source = yaml.safe_load((INTENTS_DIR / "budget.yaml").read_text(encoding="utf-8"))
    source["max_before"].append("tope de")
    path = tmp_path / "budget.yaml"
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    assert BudgetParser.load(path).parse("tope de 700") == Budget(min=None, max=700)
