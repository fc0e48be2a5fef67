"""Reads a YAML file into plain data while keeping its node tree, so a field path maps back to a line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]


MAX_DEPTH = 20  # levels of nesting: a playbook needs about six; 20,000 would overflow the parser's stack
MAX_ALIASES = 32  # uses of `*name`: an alias bomb turns a few hundred bytes into gigabytes
MAX_VALUES = 100_000  # values once aliases are expanded (a playbook has a few thousand)
FAST: bool = yaml.__with_libyaml__  # PyYAML's wheels bundle libyaml; without it the pure-Python path does the same
_CParser: Any = yaml._yaml.CParser if FAST else yaml.parser.Parser


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without its traps: `10:30` stays text (not 630) and `no`/`on` stay text (not booleans);
    nesting and aliases are limited, so a hostile file is a problem line, not a crash or 12 GB."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = self.aliases = self.values = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlProblem(line, "(yaml)", f"more than {MAX_ALIASES} aliases (*name) in one playbook")
        if self.depth >= MAX_DEPTH:
            raise YamlProblem(line, "(yaml)", f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _FastLoader(_CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
    """The same reading through libyaml: the tree is composed in C (a tenth of the time, which every command that
    loads the playbooks pays), with `_Loader`'s resolvers. A file it refuses is read again by `_Loader`, so a
    problem is always reported the one way."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

    def __init__(self, stream: str) -> None:
        _CParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.depth = self.aliases = self.values = 0


def _check_limits(text: str) -> None:
    """Refuses, from libyaml's events, a file over MAX_DEPTH or MAX_ALIASES before anything recurses into it; the
    slow reading that follows names the problem and its line."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.CBaseLoader):
        aliases += isinstance(event, AliasEvent)
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        if depth > MAX_DEPTH or aliases > MAX_ALIASES:
            raise YamlProblem(1, "(yaml)", "over the nesting or alias limit")


class YamlProblem(Exception):
    """A problem found while reading the file: 1-based line, field path, message."""

    def __init__(self, line: int, path: str, message: str) -> None:
        super().__init__(f"{line}: {path}: {message}")
        self.line, self.path, self.message = line, path, message


@dataclass(frozen=True)
class Document:
    """A YAML document's plain data (JSON-compatible) and the node tree it came from."""

    root: Node
    data: Any

    def locate(self, loc: Loc) -> tuple[int, str]:
        """The 1-based line and dotted path of a location; a missing key points at its parent's line."""
        node: Node = self.root
        line = node.start_mark.line + 1
        parts: list[str] = []
        for index, key in enumerate(loc):
            if isinstance(node, MappingNode) and isinstance(key, str):
                hit = next((pair for pair in reversed(node.value) if _key_text(pair[0]) == key), None)
                if hit is None:
                    # Last element: a missing field, named at its parent. Otherwise a union tag pydantic inserts.
                    if index == len(loc) - 1:
                        parts.append(key)
                    continue
                line, node = hit[0].start_mark.line + 1, hit[1]
                parts.append(key)
            elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
                parts.append(f"[{key}]")
            else:
                break  # a scalar: whatever follows names a type pydantic tried, not a place in the file
        return line, dotted(parts)


def dotted(parts: list[str]) -> str:
    """`treatments.botox.price`, with list indexes as `hours.monday[0]`; the document itself is `(top)`."""
    text = "".join(part if part.startswith("[") else f".{part}" for part in parts).lstrip(".")
    return text or "(top)"


def read_document(path: Path) -> Document:
    """Parse one YAML document; raises YamlProblem for unreadable files, syntax errors and duplicate keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlProblem(1, "(file)", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlProblem(1, "(file)", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if FAST:
        try:
            return _read(text, fast=True)
        except (YamlProblem, yaml.YAMLError):
            pass  # a file with a problem is read again the slow way, whose messages and lines the tests pin
    return _read(text, fast=False)


def _read(text: str, fast: bool) -> Document:
    if fast:  # the C composer has no per-node hook: the nesting and alias limits come first, from the events
        _check_limits(text)
    try:
        loader = _FastLoader(text) if fast else _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character: the reader gives a position, not a line
        line = text[: exc.position].count("\n") + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise YamlProblem(line, "(yaml)", f"control character {char} is not allowed in YAML") from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise YamlProblem(1, "(top)", "empty file: expected a mapping of playbook fields")
        data = _plain(loader, root, [], frozenset())
    except yaml.MarkedYAMLError as exc:
        raise YamlProblem(*_syntax(exc)) from None
    finally:
        loader.dispose()
    return Document(root, data)


def _syntax(exc: yaml.MarkedYAMLError) -> tuple[int, str, str]:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if exc.context and problem.startswith("but "):  # "expected a single document ..., but found another"
        problem = f"{exc.context}, {problem}"
    return (1 if mark is None else mark.line + 1), "(yaml)", problem


def _key_text(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _plain(loader: _Loader | _FastLoader, node: Node, where: list[str], active: frozenset[int]) -> Any:
    """Data with text keys exactly as written and dates as ISO text, so strict JSON validation applies."""
    loader.values += 1
    if loader.values > MAX_VALUES:
        message = f"too large once its aliases are expanded (more than {MAX_VALUES:,} values)"
        raise YamlProblem(node.start_mark.line + 1, dotted(where), message)
    if isinstance(node, ScalarNode):
        value = loader.construct_object(node)
        if isinstance(value, date | datetime | time):
            return value.isoformat()
        if not (value is None or isinstance(value, str | int | float | bool)):
            raise YamlProblem(node.start_mark.line + 1, dotted(where), f"a {type(value).__name__} value is not allowed")
        return value
    if id(node) in active:
        raise YamlProblem(node.start_mark.line + 1, dotted(where), "an alias refers to itself")
    active = active | {id(node)}
    if isinstance(node, SequenceNode):
        return [_plain(loader, item, [*where, f"[{i}]"], active) for i, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # resolves `<<: *anchor` merges in place, merged pairs first
    merged = len(node.value) - own
    out: dict[str, Any] = {}
    written: set[str] = set()  # a merged `<<` key may be overridden (YAML's rule); a key written twice may not
    for position, (key_node, value_node) in enumerate(node.value):
        key = _key_text(key_node)
        line = key_node.start_mark.line + 1
        if key is None:
            raise YamlProblem(line, dotted(where), "a key must be plain text, not a list or mapping")
        if position >= merged:
            if key in written:
                raise YamlProblem(line, dotted([*where, key]), "duplicate key: this field is already set above")
            written.add(key)
        out[key] = _plain(loader, value_node, [*where, key], active)
    return out
