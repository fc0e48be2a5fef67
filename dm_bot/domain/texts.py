"""A text the spa writes in English, and in Spanish where it has it: the unit of every playbook text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from dm_bot.domain.models import Language

STRICT: dict[str, Any] = {"extra": "forbid", "frozen": True}  # unknown keys are errors, values are fixed


@dataclass(frozen=True)
class Localized:
    """A text in English, and in Spanish where the spa has it."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    en: str
    es: str | None = None

    def get(self, language: Language) -> str | None:
        return self.es if language == "es" else self.en

    def pick(self, language: Language) -> str:
        """The text in the language, else English (names and answers degrade better than silence)."""
        return self.get(language) or self.en
