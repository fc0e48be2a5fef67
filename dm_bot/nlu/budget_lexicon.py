"""The budget lexicon of intents/budget.yaml: cue phrases as token tuples, number words, masks for non-amounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dm_bot.nlu.data import load_mapping, str_list

# Numbers ("1,200", "1.5", ".5"), words, and any other single character as its own token.
TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+|[a-z]+|[^\sa-z0-9]", re.ASCII)
_WORD = re.compile(r"[a-z]+")
MASK = " _ "  # stands where a time, date, phone or percentage was, so no amount is read there


class Phrases(dict[tuple[str, ...], str]):
    """Phrase (as tokens) -> label; `ends` holds the words phrases end with, a quick "no" for most positions."""

    def __init__(self, entries: dict[tuple[str, ...], str]) -> None:
        super().__init__(entries)
        self.ends = frozenset(phrase[-1] for phrase in entries)


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text)


def is_number(token: str) -> bool:
    return token[0] in "0123456789" or (token[0] == "." and len(token) > 1)


@dataclass(frozen=True, slots=True)
class BudgetLexicon:
    """Everything budget.py needs from budget.yaml, in the shapes it looks them up in."""

    min_plain_amount: float
    min_bare_amount: float
    max_amount: float
    number_words: dict[str, int]
    scale_words: dict[str, int]
    one_words: frozenset[str]
    standalone_scales: frozenset[str]
    currency_before: frozenset[str]
    currency_after: frozenset[str]
    not_usd: frozenset[str]
    comparators_before: Phrases  # phrase -> "max" | "min" | "exact"
    comparators_after: Phrases
    budget_cues: Phrases
    source_words: Phrases
    not_before: Phrases
    offer_before: frozenset[str]
    offer_words: frozenset[str]
    price_question_starts: frozenset[str]
    allowed_after: frozenset[str]
    rate_words: frozenset[str]
    bare_words: frozenset[str]
    mask: re.Pattern[str]
    month_words: frozenset[str]
    year_before: frozenset[str]

    @classmethod
    def from_file(cls, path: Path) -> BudgetLexicon:
        data = load_mapping(path)

        def words(key: str) -> frozenset[str]:
            return frozenset(str_list(data, key, path))

        def phrases(*keys_and_labels: tuple[str, str]) -> Phrases:
            table: dict[tuple[str, ...], str] = {}
            for key, label in keys_and_labels:
                for phrase in str_list(data, key, path):
                    table.setdefault(tuple(tokenize(phrase)), label)
            return Phrases(table)

        return cls(
            min_plain_amount=float(data.get("min_plain_amount", 50)),
            min_bare_amount=float(data.get("min_bare_amount", 100)),
            max_amount=float(data.get("max_amount", 50000)),
            number_words=_int_table(data, "number_words", path),
            scale_words=_int_table(data, "scale_words", path),
            one_words=words("one_words"),
            standalone_scales=words("standalone_scales"),
            currency_before=words("currency_before"),
            currency_after=words("currency_after"),
            not_usd=words("not_usd"),
            comparators_before=phrases(("max_before", "max"), ("min_before", "min"), ("approx_before", "exact")),
            comparators_after=phrases(("max_after", "max"), ("min_after", "min"), ("approx_after", "exact")),
            budget_cues=phrases(("budget_cues", "budget")),
            source_words=phrases(("source_words", "source")),
            not_before=phrases(("not_before", "not")),
            offer_before=words("offer_before"),
            offer_words=words("offer_words"),
            price_question_starts=words("price_question_starts"),
            allowed_after=words("allowed_after"),
            rate_words=words("rate_words"),
            bare_words=words("bare_words"),
            mask=_mask(str_list(data, "month_words", path)),
            month_words=words("month_words"),
            year_before=words("year_before"),
        )

    def mask_dates(self, tokens: list[str]) -> list[str]:
        """ "march 15" and "since 2019": the day or year becomes MASK (the day-first forms are masked in text)."""
        out = list(tokens)
        for i in range(1, len(tokens)):
            number = tokens[i]
            if not number.isdigit():
                continue
            before = tokens[i - 1] if tokens[i - 1] != "." or i < 2 else tokens[i - 2]  # "jan. 9"
            if (before in self.month_words and int(number) <= 31) or (
                before in self.year_before and len(number) == 4 and number[:2] in ("19", "20")
            ):
                out[i] = MASK.strip()
        return out

    def has_number_word(self, text: str) -> bool:
        return any(word in self.number_words or word in self.scale_words for word in _WORD.findall(text))

    def number_words_to_digits(self, tokens: list[str]) -> list[str]:
        """Numbers in words become digits ("five hundred" -> "500", "dos mil" -> "2000"); small counts stay words."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if tokens[i] not in self.number_words and tokens[i] not in self.scale_words:
                if tokens[i] not in self.one_words:  # the usual word: no number starts here
                    out.append(tokens[i])
                    i += 1
                    continue
            end, value, scaled = self._number_word_run(tokens, i)
            if end > i and (scaled or value >= 100):
                out.append(str(value))
                i = end
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _number_word_run(self, tokens: list[str], i: int) -> tuple[int, int, bool]:
        """Where the run of number words from i ends, its value, and whether it holds a scale word."""
        total = current = 0
        scaled = False
        j = i
        while j < len(tokens):
            word = tokens[j]
            following = tokens[j + 1] if j + 1 < len(tokens) else ""
            if word in self.number_words:
                current += self.number_words[word]
            elif word in self.one_words and following in self.scale_words and following != "k":
                current += 1  # "a grand"
            elif word in self.scale_words and word != "k" and (j > i or word in self.standalone_scales):
                scale = self.scale_words[word]
                scaled = True
                if scale >= 1000:
                    total, current = total + max(current, 1) * scale, 0
                else:
                    current = max(current, 1) * scale
            elif not (word in ("and", "y") and j > i and following in self.number_words):
                break  # "two hundred and fifty", "mil y quinientos" go on past the "and"
            j += 1
        return j, total + current, scaled


def _int_table(data: dict[str, Any], key: str, path: Path) -> dict[str, int]:
    table = data.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, int) for v in table.values()):
        raise ValueError(f"{path}: '{key}' must map words to whole numbers")
    return {str(word): value for word, value in table.items()}


def _mask(months: list[str]) -> re.Pattern[str]:
    """Times, dates, phones, ordinals and percentages: numbers that are never an amount of money.

    One pattern, tried only where a digit (or a phone's "+" or "(") starts: a scan per pattern costs more than
    all the rest of the parse.
    """
    month = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    patterns = (
        r"(?<![\d,.])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)",  # phone numbers
        r"(?<![\d,.])\d{7,}",  # long digit runs: phones, order and account numbers
        r"(?<![\d.])\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.?|p\.m\.?|oclock|hrs)(?![a-z])",  # 3pm, 10:30 am
        r"(?<![\d.])\d{1,2}:\d{2}(?!\d)",  # 10:30
        r"(?<![\d.])\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?(?!\d)(?!\s*(?:k|grand|mil)\b)",  # 3/15, 24/7
        r"(?<![\d.])\d{1,2}(?:st|nd|rd|th)(?![a-z])",  # the 15th
        r"\d+(?:\.\d+)?\s*%",  # 20% off
        rf"(?<![\d.])\d{{1,2}}\s+(?:de\s+)?(?:{month})(?![a-z])",  # 15 de marzo
    )
    return re.compile(r"(?=[\d(+])(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", re.ASCII)
