"""Split a document into YAML front matter and body, keeping line numbers so every error can name
the real line in the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator import plainyaml
from generator.errors import FrontMatterError

# PyYAML is imported when a text is parsed, not with this module: with the memo below, a no-op
# `blog build` parses no YAML at all and never imports it (~12 ms, issue #19).


def __getattr__(name: str) -> Any:
    """`YamlLoader`: the C loader is several times faster on large sites; fall back silently when
    libyaml is absent. Made on first use (tests replace it with setattr)."""
    if name != "YamlLoader":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import yaml

    loader = globals()["YamlLoader"] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def yaml_loader() -> Any:
    return globals()["YamlLoader"] if "YamlLoader" in globals() else __getattr__("YamlLoader")


class ParsedYaml(Protocol):
    """Parsed YAML kept across processes, by text (incremental/yamlmemo.py): set by `blog build`."""

    def get(self, text: str) -> tuple[bool, Any]: ...  # (found, a fresh copy of the value)

    def put(self, text: str, value: Any) -> None: ...


memo: ParsedYaml | None = None

FENCE = "---"


@dataclass(frozen=True)
class ParsedText:
    """A file split into its front matter and body (model.Document is what a post becomes later)."""

    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line number in the file where `body` starts
    has_front_matter: bool


def has_front_matter(raw: bytes) -> bool:
    """Jekyll's rule: a file is processed only if it starts with a `---` line."""
    first_line = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return first_line.rstrip() == b"---"


def decode_text(raw: bytes, path: Path | str) -> str:
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise FrontMatterError(f"not valid UTF-8 (byte {e.start}); save the file as UTF-8", path, line) from e


def load_yaml(text: str, path: Path | str, first_line: int = 1, remember: bool = True) -> Any:
    """Parse YAML; a syntax error becomes a FrontMatterError at the real line of the file.
    `remember`: look the text up in, and add it to, the memo (when `blog build` set one).
    The plainest texts (plainyaml.py) are read without PyYAML, neither memo nor import needed."""
    plain, value = plainyaml.parse(text)
    if plain:
        return value
    if memo is not None and remember:
        found, value = memo.get(text)
        if found:
            return value
    import yaml

    from generator.yamlhints import explain

    try:
        value = yaml.load(text, Loader=yaml_loader())
    except yaml.MarkedYAMLError as e:
        line, message = explain(e, text)  # the usual cause and its fix, at the line to edit
        raise FrontMatterError(message, path, first_line + line) from e
    except yaml.YAMLError as e:
        raise FrontMatterError(f"invalid YAML: {e}", path, first_line) from e
    except ValueError as e:  # well-formed YAML whose value cannot exist, e.g. the date 2020-13-45
        raise FrontMatterError(f"invalid value: {e}; correct it", path, first_line + _bad_scalar_line(text)) from e
    if memo is not None and remember:
        memo.put(text, value)
    return value


def _bad_scalar_line(text: str) -> int:
    """The 0-based line of the first scalar PyYAML cannot construct (only dates can fail so)."""
    import yaml

    loader = yaml_loader()(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop(0)
        if isinstance(current, yaml.ScalarNode):
            try:
                yaml.load(current.value, Loader=yaml_loader())
            except ValueError:
                return current.start_mark.line
        elif isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return 0


def parse_document(text: str, path: Path | str, remember: bool = True) -> ParsedText:
    """`text` is the decoded file. Front matter must open on line 1 and close with a `---` line.
    `remember`: see load_yaml (off for posts a cold build parses by the thousand)."""
    lines = text.split("\n")
    index = front_matter_end(lines)
    if index is None:
        return ParsedText({}, text, 1, False)
    if index < 0:
        raise FrontMatterError("front matter is not closed: add a `---` line after it", path, 1)
    yaml_text = "\n".join(lines[1:index])
    meta = load_yaml(yaml_text, path, first_line=2, remember=remember) if yaml_text.strip() else {}
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be a YAML mapping of `key: value` lines", path, 2)
    body = "\n".join(lines[index + 1 :])
    return ParsedText(_plain_keys(meta), body, index + 2, True)


def front_matter_end(lines: list[str]) -> int | None:
    """Where the front matter that opens `lines` ends: the index of its closing `---` (or `...`)
    line; -1 when line 1 opens one that is never closed; None when line 1 is no `---` (a file
    without front matter). The one rule for it: the loader and `blog serve`'s convert-ahead use it."""
    if not lines or lines[0].rstrip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            return index
    return -1


def _plain_keys(meta: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in meta.items()}


def key_line(yaml_text: str, key: str, first_line: int = 1) -> int | None:
    """The line of a top-level key in a YAML mapping, for messages about that key's value."""
    import yaml

    try:
        node = yaml.compose(yaml_text, Loader=yaml_loader())
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, _ in node.value:
        if getattr(key_node, "value", None) == key:
            return first_line + key_node.start_mark.line
    return None


def as_datetime(value: Any) -> dt.datetime | None:
    """YAML gives date, datetime or str; normalise the first two (strings are parsed by content.py)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None
