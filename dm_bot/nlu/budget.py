"""What the sender says they can spend (nlu-labels.md "Budget"): amounts judged by the words around them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dm_bot.domain.models import Budget
from dm_bot.nlu.budget_lexicon import MASK, BudgetLexicon, Phrases, is_number, tokenize
from dm_bot.nlu.data import lexicon_path
from dm_bot.nlu.text import normalize

MAX_CHARS = 2000  # a budget is stated in a DM's opening, not in a pasted document
LEFT_WINDOW = 8  # words before an amount searched for a budget cue or a price source
RIGHT_WINDOW = 5
_DIGIT = re.compile(r"[0-9]")
_BOUNDARIES = frozenset({"?", ".", "!", ";"})
_CLAUSE_BREAKS = _BOUNDARIES | {",", "but", "pero", "though", "tho"}
_RANGE_JOINERS = frozenset({"-", "to", "a", "hasta"})
_RANGE_PAIRS = frozenset({"and", "y", "&"})  # "between 300 and 500": only after between/entre/from/de
_RANGE_OPENERS = frozenset({"between", "entre", "from", "de", "somewhere"})
_HEDGES = frozenset({"like", "about", "around", "approx", "~", "maybe", "como", "unos"})
_RATE_INTROS = frozenset({"a", "an", "per", "each", "in", "por", "la", "el", "cada", "the", "/"})


@dataclass(frozen=True, slots=True)
class _Amount:
    start: int  # first token (the "$" if written)
    end: int  # one past the last token (scale word and currency included)
    value: float
    scale: int  # the multiplier written after the number ("k"), 1 when none
    money: bool  # written as money: "$", "dollars", "k"


class BudgetParser:
    """Reads the sender's budget out of one DM; None unless an amount is clearly their own spend."""

    def __init__(self, lexicon: BudgetLexicon) -> None:
        self._lex = lexicon
        self._longest = max(len(p) for table in _tables(lexicon) for p in table)
        # Phrases that may follow an amount: comparators ("or less") and budget cues ("is my budget").
        self._after_ok = Phrases({**lexicon.comparators_after, **lexicon.budget_cues})

    @classmethod
    def load(cls, path: Path | None = None) -> BudgetParser:
        return cls(BudgetLexicon.from_file(lexicon_path("budget.yaml", path)))

    def parse(self, text: str) -> Budget | None:
        lowered = normalize(text[:MAX_CHARS]).replace("'", "")
        spelt = self._lex.has_number_word(lowered)
        if not spelt and not _DIGIT.search(lowered):
            return None  # most DMs hold no number at all
        tokens = tokenize(self._lex.mask.sub(MASK, lowered))
        tokens = self._lex.mask_dates(self._lex.number_words_to_digits(tokens) if spelt else tokens)
        amounts = self._amounts(tokens)
        index = 0
        while index < len(amounts):
            first = amounts[index]
            second = amounts[index + 1] if index + 1 < len(amounts) else None
            if second is not None and self._is_range(tokens, first, second):
                budget = self._judge_range(tokens, first, second)
                index += 2
            else:
                budget = self._judge_single(tokens, first)
                index += 1
            if budget is not None:
                return budget
        return None

    # --- reading amounts -------------------------------------------------------------------------------------

    def _amounts(self, tokens: list[str]) -> list[_Amount]:
        lex = self._lex
        found: list[_Amount] = []
        for i, token in enumerate(tokens):
            if not is_number(token) or (found and i < found[-1].end):
                continue
            start = i - 1 if i > 0 and tokens[i - 1] in lex.currency_before else i
            end = i + 1
            value = float(token.replace(",", ""))
            scale = lex.scale_words.get(tokens[end], 1) if end < len(tokens) else 1
            end += scale > 1
            money = start < i or scale > 1
            if end < len(tokens) and tokens[end] in lex.currency_after:
                end, money = end + 1, True
            found.append(_Amount(start, end, value * scale, scale, money))
        return found

    # --- judging ---------------------------------------------------------------------------------------------

    def _is_range(self, tokens: list[str], first: _Amount, second: _Amount) -> bool:
        between = tokens[first.end : second.start]
        if len(between) != 1:
            return False
        if between[0] in _RANGE_JOINERS:
            return True
        return between[0] in _RANGE_PAIRS and first.start > 0 and tokens[first.start - 1] in _RANGE_OPENERS

    def _judge_range(self, tokens: list[str], first: _Amount, second: _Amount) -> Budget | None:
        low = first.value
        if second.scale > 1 and first.scale == 1 and first.value * second.scale <= second.value:
            low = first.value * second.scale  # "1-2k" is 1000 to 2000
        span = _Amount(first.start, second.end, second.value, second.scale, first.money or second.money)
        if not self._plausible(low, span) or not self._plausible(second.value, span):
            return None
        if not self._context_allows(tokens, span, self._has_budget_cue(tokens, span)):
            return None
        return Budget(min=min(low, second.value), max=max(low, second.value))

    def _judge_single(self, tokens: list[str], amount: _Amount) -> Budget | None:
        if not self._plausible(amount.value, amount):
            return None
        kind, cue_start = self._comparator(tokens, amount)
        budget_cue = self._has_budget_cue(tokens, amount)
        if self._lookup_before(tokens, cue_start, self._lex.not_before):
            return None  # "I'm over 50": an age
        if not self._context_allows(tokens, amount, budget_cue):
            return None
        if kind is None and not (budget_cue or self._is_offer(tokens, amount) or self._is_bare(tokens, amount)):
            return None
        value = amount.value
        if kind == "max":
            return Budget(min=None, max=value)
        if kind == "min":
            return Budget(min=value, max=None)
        return Budget(min=value, max=value)

    def _plausible(self, value: float, amount: _Amount) -> bool:
        if value > self._lex.max_amount or value <= 0:
            return False
        return amount.money or value >= self._lex.min_plain_amount

    def _comparator(self, tokens: list[str], amount: _Amount) -> tuple[str | None, int]:
        """The comparator around the amount ("under", "max", "+", "around") and where the words before it start."""
        after = self._lookup_after(tokens, amount.end, self._lex.comparators_after)
        before_start, before = self._lookup_before_at(tokens, amount.start, self._lex.comparators_before)
        if before == "exact" and before_start > 0:
            # "up to like 500": a hedge after a comparator keeps the comparator's meaning
            outer_start, outer = self._lookup_before_at(tokens, before_start, self._lex.comparators_before)
            if outer in ("max", "min"):
                return outer, outer_start
        if before in ("max", "min") or after is None:
            return before, before_start
        return after, before_start

    def _context_allows(self, tokens: list[str], amount: _Amount, budget_cue: bool) -> bool:
        """False when the amount is a count, a rate, another currency, someone else's price or the spa's price."""
        lex = self._lex
        nxt = tokens[amount.end] if amount.end < len(tokens) else ""
        after_next = tokens[amount.end + 1] if amount.end + 1 < len(tokens) else ""
        if nxt in lex.not_usd or (amount.start > 0 and tokens[amount.start - 1] in lex.not_usd):
            return False
        if nxt == "/" or (nxt in _RATE_INTROS and after_next in lex.rate_words):
            return False  # "$12/unit", "14 a unit", "$500 in points"
        if (
            nxt.isalpha()
            and not (amount.money and amount.end > amount.start + 1)  # "200 dolares q ...": the unit was said
            and nxt not in lex.allowed_after
            and not self._lookup_after(tokens, amount.end, self._after_ok)
        ):
            return False  # "20 units", "10k followers", "25 years old"
        if self._source_is_nearer(tokens, amount):
            return False
        return budget_cue or not self._is_price_question(tokens, amount)

    def _source_is_nearer(self, tokens: list[str], amount: _Amount) -> bool:
        """Someone else's price ("another place charges", "I paid", "2 weeks ago") unless a budget cue is nearer."""
        lex = self._lex
        for i in range(amount.start - 1, max(amount.start - 1 - LEFT_WINDOW, -1), -1):
            if tokens[i] in _BOUNDARIES:
                break  # "how much does it cost? around 400": the question was about the price, the answer is not
            if self._phrase_ending_at(tokens, i, lex.budget_cues):
                return False
            if self._phrase_ending_at(tokens, i, lex.source_words):
                return True
        for i in range(amount.end, min(amount.end + RIGHT_WINDOW, len(tokens))):
            if tokens[i] in _CLAUSE_BREAKS:
                break
            if self._phrase_ending_at(tokens, i, lex.source_words):
                return True
        return False

    def _has_budget_cue(self, tokens: list[str], amount: _Amount) -> bool:
        low = max(amount.start - LEFT_WINDOW, 0)
        high = min(amount.end + RIGHT_WINDOW, len(tokens))
        return any(
            self._phrase_ending_at(tokens, i, self._lex.budget_cues)
            for i in (*range(low, amount.start), *range(amount.end, high))
        )

    def _is_offer(self, tokens: list[str], amount: _Amount) -> bool:
        """An amount offered for something: "what can I get for 500", "can I get botox for $400"."""
        offered = amount.start > 0 and tokens[amount.start - 1] in self._lex.offer_before
        if not offered and not self._leads_clause(tokens, amount):
            return False  # "500, what can I get?" leads with the amount
        start, end = _sentence(tokens, amount)
        return not self._lex.offer_words.isdisjoint(tokens[start:end])

    def _leads_clause(self, tokens: list[str], amount: _Amount) -> bool:
        """The amount opens the message and stands alone in its clause ("500$, qué me puedo hacer")."""
        if not self._is_bare(tokens, amount) and amount.start == 0:
            clause_end = amount.end
            while clause_end < len(tokens) and tokens[clause_end] not in _CLAUSE_BREAKS | {"-", ":"}:
                clause_end += 1
            rest = tokens[amount.end : clause_end]
            return all(t in self._lex.bare_words or not t.isalnum() for t in rest)
        return False

    def _is_bare(self, tokens: list[str], amount: _Amount) -> bool:
        """A sentence that is only an amount ("500", "like $400 i guess"): the answer to "what's your budget?"."""
        if not amount.money and amount.value < self._lex.min_bare_amount:
            return False  # "61" alone is an age as often as a budget
        start, end = _sentence(tokens, amount)
        rest = tokens[start : amount.start] + tokens[amount.end : end]
        closing = tokens[end] if end < len(tokens) else ""
        return closing != "?" and all(t in self._lex.bare_words or not t.isalnum() for t in rest)

    def _is_price_question(self, tokens: list[str], amount: _Amount) -> bool:
        """A question about the spa's price, not a budget: "is it $650?", "is botox under 500"."""
        start, end = _sentence(tokens, amount)
        return start < end and tokens[start] in self._lex.price_question_starts

    # --- phrase lookups --------------------------------------------------------------------------------------

    def _phrase_ending_at(self, tokens: list[str], last: int, table: Phrases) -> bool:
        if tokens[last] not in table.ends:
            return False
        return any(tuple(tokens[last - n + 1 : last + 1]) in table for n in range(1, min(self._longest, last + 1) + 1))

    def _lookup_before_at(self, tokens: list[str], end: int, table: Phrases) -> tuple[int, str | None]:
        """The longest phrase of `table` ending just before token `end`: (its start, its label)."""
        if end == 0 or tokens[end - 1] not in table.ends:
            return end, None
        for n in range(min(self._longest, end), 0, -1):
            label = table.get(tuple(tokens[end - n : end]))
            if label is not None:
                return end - n, label
        return end, None

    def _lookup_before(self, tokens: list[str], end: int, table: Phrases) -> str | None:
        return self._lookup_before_at(tokens, end, table)[1]

    def _lookup_after(self, tokens: list[str], start: int, table: Phrases) -> str | None:
        for n in range(min(self._longest, len(tokens) - start), 0, -1):
            label = table.get(tuple(tokens[start : start + n]))
            if label is not None:
                return label
        return None


def _sentence(tokens: list[str], amount: _Amount) -> tuple[int, int]:
    """The token range of the sentence holding the amount; `end` is its closing punctuation (or the end)."""
    start = amount.start
    while start > 0 and tokens[start - 1] not in _BOUNDARIES:
        start -= 1
    end = amount.end
    while end < len(tokens) and tokens[end] not in _BOUNDARIES:
        end += 1
    return start, end


def _tables(lexicon: BudgetLexicon) -> tuple[Phrases, ...]:
    return (
        lexicon.comparators_before,
        lexicon.comparators_after,
        lexicon.budget_cues,
        lexicon.source_words,
        lexicon.not_before,
    )


@lru_cache(maxsize=1)
def default_parser() -> BudgetParser:
    """The parser over the project's intents/budget.yaml, read once."""
    return BudgetParser.load()


def parse_budget(text: str) -> Budget | None:
    """The sender's budget in USD, or None when they state no amount of their own (nlu-labels.md)."""
    return default_parser().parse(text)
