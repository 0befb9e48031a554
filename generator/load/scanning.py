"""The one scanner for the code parts of markdown: fenced blocks and code spans, shared by math
(`math.py`, where `$` inside code stays literal) and by Jinja protection (`conversion.py`).

Everything here is linear in the text: a hostile post must not cost minutes (issue #12). The trick
is to find every closer once (one regex pass) and answer "first closer at or after q" with a
cursor that only moves forward, because scanners ask for ever later positions. `STEPS` counts the
work done (characters skipped, cursor moves) so tests can prove linearity without timing."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BACKTICK_RUN = re.compile(r"`+")
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


@dataclass(frozen=True)
class Segment:
    text: str
    first_line: int  # 1-based line of the segment's first character
    fenced: bool  # a fenced code block, opening and (when present) closing lines included
    closed: bool = True  # False for a fence left open at the end of the text


def segments(text: str) -> Iterator[Segment]:
    """Split text into prose and fenced code blocks (``` or ~~~, closed by a line of at least as
    many of the same character). Line based, so linear."""
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

    def __init__(self, text: str) -> None:
        self.runs: dict[int, int] = {}  # start -> length of every maximal backtick run
        by_length: dict[int, list[int]] = {}
        for match in BACKTICK_RUN.finditer(text):
            length = match.end() - match.start()
            self.runs[match.start()] = length
            by_length.setdefault(length, []).append(match.start())
        STEPS.count += len(text) + len(self.runs)
        self.closers = {length: Cursor(starts) for length, starts in by_length.items()}
        self.blanks = Cursor(blank_lines(text))

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
    pattern = re.compile(f"(?={re.escape(literal)})")
    positions = [match.start() for match in pattern.finditer(text)]
    STEPS.count += len(text) + len(positions)
    return positions
