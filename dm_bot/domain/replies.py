"""Reply texts from the playbook: placeholders filled, prices formatted from `Price`, names localized."""

from __future__ import annotations

import string

from dm_bot.domain.models import Language
from dm_bot.domain.playbook import Playbook, Price

# Placeholders a playbook text may use; the loader rejects any other (a typo would fail mid-conversation).
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "spa", "treatment", "price", "link", "when", "phone", "address", "email", "financing",
        "alternative", "alternative_price", "amount", "unit", "up_to", "time", "day", "date", "minimum",
        "options",
    }
)


class _Blank(dict[str, str]):
    """Leaves an unknown placeholder empty rather than failing a reply (the loader already checked)."""

    def __missing__(self, key: str) -> str:
        return ""


def placeholders(template: str) -> set[str]:
    """The `{names}` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(template: str, values: dict[str, str]) -> str:
    return template.format_map(_Blank(values))


def text(pb: Playbook, key: str, language: Language, **values: str) -> str:
    """The playbook text in the language (English when the spa lacks it), placeholders filled."""
    entry = pb.texts.get(key)
    template = "" if entry is None else entry.pick(language)
    return render(template, {"spa": pb.name, "phone": pb.contact.phone, "address": pb.contact.address,
                             "email": pb.contact.business_email, **values})


def amount(value: float) -> str:
    """1200 -> "1,200"; 12.5 -> "12.50" (cents only when there are cents)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def format_price(pb: Playbook, price: Price, language: Language) -> str:
    """"$14 per unit", "from $650 per syringe", "$150-$300 per session": the words come from the texts."""
    key = "price_range" if price.up_to is not None else "price_from" if price.starting else "price_exact"
    values = {"amount": amount(price.amount), "unit": price.unit.pick(language)}
    if price.up_to is not None:
        values["up_to"] = amount(price.up_to)
    quoted = text(pb, key, language, **values)
    if price.minimum_spend is not None and pb.text("price_minimum", language):  # rule 23: "$14 per unit, $280 minimum"
        quoted = text(pb, "price_minimum", language, price=quoted, minimum=amount(price.minimum_spend))
    return quoted


def treatment_name(pb: Playbook, treatment: str | None, language: Language) -> str:
    offer = pb.offer(treatment)
    return "" if offer is None else offer.name.pick(language)


def capitalized(sentence: str) -> str:
    """A sentence that starts with a treatment name ("lip filler is ...") starts with a capital."""
    return sentence[:1].upper() + sentence[1:]


def join(*parts: str) -> str:
    """One message from sentences, each starting with a capital; empty parts dropped."""
    return " ".join(capitalized(p.strip()) for p in parts if p and p.strip())
