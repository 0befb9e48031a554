"""Which characters a Pygments rule's match can start with, from the parsed regex (`re._parser`).

fastlex.py combines only the rules of a state that can match at a given character: a rule whose
first consumed character cannot be `c` never matches at a position holding `c`, so leaving it out
of that position's alternation changes no result, and the regex engine tries far fewer
alternatives. Every answer errs on the side of "may match": an unknown construct or a rule that can
match the empty string makes the rule a candidate everywhere. Under case-insensitive matching the
first character's class is asked of `re` itself (a one-character pattern compiled with the same
flags), since Unicode case folding matches more characters than lower() and upper() give."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

try:  # the parser of the `re` module: `re._parser` since Python 3.11, `sre_parse` before
    from re import _constants as constants
    from re import _parser as parser
except ImportError:  # pragma: no cover (Python < 3.11)
    import sre_constants as constants  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

# A test of one character; None means "any character may start a match".
CharTest = Callable[[str], bool] | None

_CATEGORIES = {
    constants.CATEGORY_DIGIT: r"\d",
    constants.CATEGORY_NOT_DIGIT: r"\D",
    constants.CATEGORY_SPACE: r"\s",
    constants.CATEGORY_NOT_SPACE: r"\S",
    constants.CATEGORY_WORD: r"\w",
    constants.CATEGORY_NOT_WORD: r"\W",
}
_ZERO_WIDTH = {constants.AT, constants.ASSERT, constants.ASSERT_NOT}
_REPEATS = {constants.MAX_REPEAT, constants.MIN_REPEAT, getattr(constants, "POSSESSIVE_REPEAT", None)}


def analyse(source: str, flags: int) -> tuple[bool, CharTest, bool]:
    """`first_char_test` and `line_start_only` of one pattern, from one parse (`re`'s parser is
    pure Python: parsing the Python lexer's rules, with their Unicode identifier classes, is most
    of what a worker spends on its first code block)."""
    if flags & re.LOCALE:
        return True, None, False
    try:
        parsed = parser.parse(source, flags)
    except (re.error, RecursionError, OverflowError):
        return True, None, False
    items = list(parsed)
    anchored = _anchored(items)
    flags = getattr(getattr(parsed, "state", None), "flags", flags)  # with the pattern's own (?i) etc.
    if flags & re.LOCALE:
        return True, None, anchored
    tests: list[Callable[[str], bool]] = []
    nullable = _first(items, tests, flags)
    if nullable is None:
        return True, None, anchored
    return nullable, (lambda char: any(test(char) for test in tests)), anchored


def first_char_test(source: str, flags: int) -> tuple[bool, CharTest]:
    """(can match the empty string, test of the first character otherwise); (True, None) when
    in doubt."""
    nullable, test, _anchored_too = analyse(source, flags)
    return nullable, test


def line_start_only(source: str, flags: int) -> bool:
    """Whether every match of the pattern begins with `^` (or `\\A`): then it can only match at the
    text's start or right after a newline (with or without MULTILINE), so fastlex.py need not try
    it elsewhere (the Python lexer's `^(\\s*)…` string and `match` rules, tried at every space:
    ~25 % of its failed matches). Errs on the side of False."""
    return analyse(source, flags)[2]


def _anchored(items: list[Any]) -> bool:
    """The sequence's first item is a beginning anchor, or a group or alternation all of whose
    branches start with one (look-arounds before it are zero-width too, but left out: rare)."""
    if not items:
        return False
    op, value = items[0]
    if op is constants.AT:
        return value in (constants.AT_BEGINNING, constants.AT_BEGINNING_STRING)
    if op is constants.SUBPATTERN:
        return _anchored(list(value[3]))
    if op is getattr(constants, "ATOMIC_GROUP", None):
        return _anchored(list(value))
    if op is constants.BRANCH:
        return all(_anchored(list(branch)) for branch in value[1])
    return False


def _first(items: list[Any], tests: list[Callable[[str], bool]], flags: int) -> bool | None:
    """Add to `tests` what the sequence's first character may be; True if the sequence can match
    empty, None if unknown (then any character)."""
    for op, value in items:
        nullable = _first_of_item(op, value, tests, flags)
        if nullable is None:
            return None
        if not nullable:
            return False
    return True


def _first_of_item(op: Any, value: Any, tests: list[Callable[[str], bool]], flags: int) -> bool | None:
    if op is constants.LITERAL:
        tests.append(_folded([(op, value)], flags) if flags & re.IGNORECASE else chr(value).__eq__)
        return False
    if op is constants.IN:
        test = _folded(value, flags) if flags & re.IGNORECASE else _set_test(value, flags)
        if test is None:
            return None
        tests.append(test)
        return False
    if op in _ZERO_WIDTH:  # anchors and look-arounds consume nothing: the next item decides
        return True
    if op is constants.BRANCH:
        results = [_first(list(branch), tests, flags) for branch in value[1]]
        return None if None in results else any(results)
    if op is constants.SUBPATTERN:
        _group, add_flags, del_flags, pattern = value
        if add_flags & re.LOCALE:
            return None
        return _first(list(pattern), tests, (flags | add_flags) & ~del_flags)
    if op in _REPEATS:
        low, _high, pattern = value
        nullable = _first(list(pattern), tests, flags)
        return None if nullable is None else (nullable or low == 0)
    if op is getattr(constants, "ATOMIC_GROUP", None):
        return _first(list(value), tests, flags)
    return None  # ANY (dot), NOT_LITERAL, group references, anything new: any character


def _set_test(items: list[Any], flags: int) -> Callable[[str], bool] | None:
    """A character class `[...]` as a test (its exact membership, re-checked by `re` itself)."""
    literals: set[str] = set()
    ranges: list[tuple[int, int]] = []
    categories: list[re.Pattern[str]] = []
    negate = False
    for op, value in items:
        if op is constants.NEGATE:
            negate = True
        elif op is constants.LITERAL:
            literals.add(chr(value))
        elif op is constants.RANGE:
            ranges.append(value)
        elif op is constants.CATEGORY and value in _CATEGORIES:
            categories.append(re.compile(_CATEGORIES[value], flags & re.ASCII))
        else:
            return None

    def member(char: str) -> bool:
        code = ord(char)
        inside = (
            char in literals
            or any(low <= code <= high for low, high in ranges)
            or any(category.match(char) for category in categories)
        )
        return inside != negate

    return member


def _folded(items: list[Any], flags: int) -> Callable[[str], bool] | None:
    """A character class (or one literal) under IGNORECASE, as a compiled one-character pattern."""
    parts = ["^"] if items and items[0][0] is constants.NEGATE else []
    for op, value in items[len(parts) :]:
        if op is constants.LITERAL:
            parts.append(f"\\U{value:08x}")
        elif op is constants.RANGE:
            parts.append(f"\\U{value[0]:08x}-\\U{value[1]:08x}")
        elif op is constants.CATEGORY and value in _CATEGORIES:
            parts.append(_CATEGORIES[value])
        else:
            return None
    try:
        return re.compile("[" + "".join(parts) + "]", flags & (re.IGNORECASE | re.ASCII)).match  # type: ignore[return-value]
    except re.error:
        return None
