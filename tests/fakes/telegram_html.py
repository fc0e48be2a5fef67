"""Telegram's HTML parse mode for the fake Bot API: plain text plus entities (UTF-16 offsets), or Telegram's error."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
         "s": "strikethrough", "del": "strikethrough", "code": "code", "pre": "pre", "blockquote": "blockquote",
         "a": "text_link", "tg-spoiler": "spoiler"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Html(HTMLParser):
    """Telegram's HTML parse mode: plain text and entities, or the error Telegram would give."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self.error: str | None = None
        self._open: list[tuple[str, int, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self._open.append((tag, utf16_len(self.text), dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
            return
        _, start, attrs = self._open.pop()
        length = utf16_len(self.text) - start
        if length and tag in _TAGS:
            entity: dict[str, Any] = {"type": _TAGS[tag], "offset": start, "length": length}
            if tag == "a":
                entity["url"] = attrs.get("href")
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(html: str) -> tuple[str, list[dict[str, Any]], str | None]:
    parser = _Html()
    parser.feed(html)
    parser.close()
    if parser._open and parser.error is None:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser._open[-1][0]}"'
    return parser.text, sorted(parser.entities, key=lambda e: e["offset"]), parser.error
