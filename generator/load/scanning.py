"""The one scanner for the code parts of markdown: fenced blocks and code spans, shared by math
(`math.py`, where `$` inside code stays literal) and by Jinja protection (`conversion.py`).

Everything here is linear in the text: a hostile post must not cost minutes (issue #12). The trick
is to find every closer once (one regex pass) and answer "first closer at or after q" with a
cursor that only moves forward, because scanners ask for ever later positions. `STEPS` counts the
work done (characters skipped, cursor moves) so tests can prove linearity without timing."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# "``*", not "`+": a pattern that starts with a literal is searched for with a fast scan; one that
# starts with a repeat is tried by `re` at every character (~13x slower over a post).
BACKTICK_RUN = re.compile(r"``*")
# The start of every blank line break `\n[ \t]*\n` (overlapping ones too): spans stop there.
BLANK_LINE = re.compile(r"\n(?=[ \t]*\n)")


class StepCounter:
    """Scanner work done since the last reset: a proxy for time that tests can assert on."""

    def __init__(self) -> None:
        self.count = 0

    def reset(self) -> None:
        self.count = 0


STEPS = StepCounter()


class Cursor:
    """The first of a sorted list of positions at or after q. Callers ask with non-decreasing q,
    so the index only moves forward: amortised O(1) per question, O(len) in all."""

    def __init__(self, positions: list[int]) -> None:
        self.positions = positions
        self.index = 0
        self.last_query = -1

    def at_or_after(self, query: int) -> int | None:
        positions, index = self.positions, self.index
        if query < self.last_query:  # never expected; stay correct rather than fast
            index = bisect.bisect_left(positions, query)
        self.last_query = query
        start = index
        while index < len(positions) and positions[index] < query:
            index += 1
        STEPS.count += index - start + 1
        self.index = index
        return positions[index] if index < len(positions) else None

    def before(self, query: int) -> int | None:
        """The last position before `query` (after an `at_or_after(query)`)."""
        self.at_or_after(query)
        return self.positions[self.index - 1] if self.index > 0 else None


class NewlineCursor:
    """Cursor's answers about the newlines of `text` (`before`, `index`, `at_or_after`) without
    listing them first: str.count, rfind and find from the last question on (C scans), so a text
    asked about once or twice costs a few short scans instead of a list of every newline."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.query = 0
        self.index = 0  # newlines before `query`
        self.last = -1  # the last newline before `query` (-1: none)
        self.next = -2  # the first newline at or after a past question (-1: none; -2: not looked)

    def _advance(self, query: int) -> None:
        if query < self.query:  # never expected; stay correct rather than fast
            self.query, self.index, self.last, self.next = 0, 0, -1, -2
        count = self.text.count("\n", self.query, query)
        if count:
            self.index += count
            self.last = self.text.rfind("\n", self.query, query)
        STEPS.count += query - self.query + 1
        self.query = query

    def before(self, query: int) -> int | None:
        self._advance(query)
        return None if self.last < 0 else self.last

    def at_or_after(self, query: int) -> int | None:
        self._advance(query)
        if self.next == -2 or 0 <= self.next < query:
            self.next = self.text.find("\n", query)
            STEPS.count += (len(self.text) if self.next < 0 else self.next) - query + 1
        return None if self.next < 0 else self.next


@dataclass(frozen=True)
class Segment:
    text: str
    first_line: int  # 1-based line of the segment's first character
    fenced: bool  # a fenced code block, opening and (when present) closing lines included
    closed: bool = True  # False for a fence left open at the end of the text


def segments(text: str) -> Iterator[Segment]:
    """Split text into prose and fenced code blocks (``` or ~~~, closed by a line of at least as
    many of the same character). Linear: by searches that only move forward, or line by line."""
    if _only_newlines_end_lines(text):
        yield from _segments_by_search(text)
        return
    yield from _segments_by_line(text)


# What `str.splitlines` ends a line at, besides "\n".
_OTHER_LINE_ENDS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
_OTHER_LINE_ENDS_BEYOND_ASCII = ("\x85", "\u2028", "\u2029")
FENCE_HERE = re.compile(r" {0,3}(`{3,}|~{3,})")  # FENCE at a given position (no `^`)


def _only_newlines_end_lines(text: str) -> bool:
    """Whether the lines of `text.splitlines()` are those split at "\n" (a few C scans; one regex
    class search would try every character)."""
    ends = _OTHER_LINE_ENDS if text.isascii() else _OTHER_LINE_ENDS + _OTHER_LINE_ENDS_BEYOND_ASCII
    return not any(end in text for end in ends)


def _segments_by_search(text: str) -> Iterator[Segment]:
    """`_segments_by_line`'s segments, found by searching for fence characters instead of walking
    every line: only lines holding ``` or ~~~ are looked at (str.find, a C scan)."""
    STEPS.count += len(text) + 1
    copied, line = 0, 1  # the text before `copied` is yielded; `line` is the number of its line
    found = {needle: find_three(text, needle[0], 0) for needle in ("```", "~~~")}  # -1: none at all
    while (opener := _fence_line(text, copied, FENCE_HERE.match, found)) is not None:
        start, body, marker = opener
        if start > copied:
            yield Segment(text[copied:start], line, False)
            line += text.count("\n", copied, start)
        fence = marker[1][0] * len(marker[1])
        closing = _fence_line(text, body, functools.partial(_closes, fence=fence), found)
        if closing is None:
            yield Segment(text[start:], line, True, closed=False)
            return
        yield Segment(text[start : closing[1]], line, True)
        line += text.count("\n", start, closing[1])
        copied = closing[1]
    if copied < len(text):
        yield Segment(text[copied:], line, False)


def _fence_line(text: str, index: int, test: Any, found: dict[str, int]) -> tuple[int, int, Any] | None:
    """(start, end past its newline, test's answer) of the first line starting at or after `index`
    that holds ``` or ~~~ and passes `test` (given the line without its newline). `found` keeps
    each needle's last position, so no stretch of the text is searched twice for it."""
    while True:
        for needle in ("```", "~~~"):
            if 0 <= found[needle] < index:
                found[needle] = find_three(text, needle[0], index)
        ticks, tildes = found["```"], found["~~~"]
        first = tildes if ticks < 0 or 0 <= tildes < ticks else ticks
        if first < 0:
            return None
        start = text.rfind("\n", 0, first) + 1
        end = text.find("\n", first)
        end = len(text) if end < 0 else end + 1
        if start >= index:
            answer = test(text[start:end].rstrip("\n"))
            if answer:
                return start, end, answer
        index = end


def find_three(text: str, char: str, index: int = 0) -> int:
    """`text.find(char * 3, index)`, by finding single characters (memchr: a 4 KB post in 0.1 µs,
    where the three-character search takes ~2.5 µs) and checking the two after each."""
    triple = char * 3
    while (found := text.find(char, index)) >= 0 and not text.startswith(triple, found):
        index = found + 1
    return found


def _closes(line_text: str, fence: str) -> bool:
    stripped = line_text.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _segments_by_line(text: str) -> Iterator[Segment]:
    """Line by line, for texts whose lines may also end at "\r" and the like."""
    lines = text.splitlines(keepends=True)
    line_number = 1
    start = 0
    buffer: list[str] = []
    fence: str | None = None
    for line in lines:
        STEPS.count += len(line) + 1
        marker = FENCE.match(line) if fence is None else None
        if marker:
            if buffer:
                yield Segment("".join(buffer), start, False)
            buffer, start = [line], line_number
            fence = marker.group(1)[0] * len(marker.group(1))
        elif fence is not None:
            buffer.append(line)
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                yield Segment("".join(buffer), start, True)
                buffer, start, fence = [], line_number + 1, None
        else:
            if not buffer:
                start = line_number
            buffer.append(line)
        line_number += 1
    if buffer:
        yield Segment("".join(buffer), start, fence is not None, closed=fence is None)


class CodeSpans:
    """Code spans in one prose text: a run of N backticks closes at the next run of exactly N
    (CommonMark), within the paragraph (no blank line in between)."""

    def __init__(self, text: str, blank_positions: Callable[[], list[int]] | None = None) -> None:
        self.runs: dict[int, int] = {}  # start -> length of every maximal backtick run
        by_length: dict[int, list[int]] = {}
        for match in BACKTICK_RUN.finditer(text):
            length = match.end() - match.start()
            self.runs[match.start()] = length
            by_length.setdefault(length, []).append(match.start())
        STEPS.count += len(text) + len(self.runs)
        self.closers = {length: Cursor(starts) for length, starts in by_length.items()}
        # The blank lines, found when first needed (a span with a closer); `blank_positions` gives
        # them when the caller has (or will have) them anyway.
        self._blank_positions = blank_positions or (lambda: blank_lines(text))
        self._blanks: Cursor | None = None

    @property
    def blanks(self) -> Cursor:
        if self._blanks is None:
            self._blanks = Cursor(self._blank_positions())
        return self._blanks

    def end_of_span(self, start: int) -> int | None:
        """Where the code span opened by the run at `start` ends, or None when it never closes.
        Ask in increasing order of `start` (scanners do)."""
        length = self.runs[start]
        closer = self.closers[length].at_or_after(start + length)
        if closer is None:
            return None
        blank = self.blanks.at_or_after(start + length)
        if blank is not None and blank < closer:
            return None
        return closer + length

    def spans(self) -> Iterator[tuple[int, int]]:
        """Every code span, left to right; backticks inside a span never open another."""
        covered = 0
        for start in self.runs:  # dicts keep insertion (= text) order
            if start < covered:
                continue
            end = self.end_of_span(start)
            if end is not None:
                yield start, end
                covered = end


def blank_lines(text: str) -> list[int]:
    positions = [match.start() for match in BLANK_LINE.finditer(text)]
    STEPS.count += len(text) + len(positions)
    return positions


def occurrences(text: str, literal: str) -> list[int]:
    """Every start of `literal` in text, overlapping ones included (`$$$` holds two `$$`)."""
    # The first character, then the rest as a lookahead (the same positions as `(?=literal)`, but
    # starting with a literal: see BACKTICK_RUN).
    pattern = re.compile(f"{re.escape(literal[:1])}(?={re.escape(literal[1:])})")
    positions = [match.start() for match in pattern.finditer(text)]
    STEPS.count += len(text) + len(positions)
    return positions
