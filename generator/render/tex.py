"""TeX -> MathML at build time (latex2mathml), so pages need no math JavaScript and no CDN.

Math is found before any other markdown processing (so `_` and `*` inside formulas are never read as
emphasis) while skipping fenced code and code spans, where `$` stays literal. Inline `$…$` follows
pandoc's rule so prices survive: the opening `$` is not followed by a space, the closing `$` is not
preceded by a space nor followed by a digit."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from generator.incremental import fragments
from generator.render.mathml import TYPESET_RULES, typeset
from generator.load.scanning import STEPS, CodeSpans, Cursor, NewlineCursor, blank_lines, occurrences, segments

OPENER = re.compile(r"`|\\[$\[(]|\$|\\begin\{(?P<env>(?:align|equation|gather)\*?)\}")
INLINE_FIRST = re.compile(r"[^\s$]")
# After the first character: anything but `$`, a backslash pair, or a newline that does not start
# a blank line. Possessive: the body has one reading, so the scan never backtracks.
INLINE_BODY = re.compile(r"(?:[^$\n\\]|\\.|\n(?![ \t]*\n))*+", re.S)
NONSPACE = re.compile(r"\S")
# latex2mathml's cost grows with the formula; a longer one is a mistake or an attack, not math.
MAX_FORMULA_CHARS = 20_000
# latex2mathml passes unknown commands through as identifiers; that is a failed conversion to us.
UNKNOWN_COMMAND = re.compile(r"<m[io]>\\[A-Za-z]+</m[io]>")


# Part of every formula's key in the fragment memo (incremental/fragments.py): bump it when this
# module changes what a formula becomes.
TEX_RULES = "tex-1"


def convert(latex: str, **options: str) -> str:
    """latex2mathml's convert, imported on the first formula converted: a rebuild whose formulas
    all come from a cache never pays the ~25 ms of importing it."""
    from latex2mathml.converter import convert as latex2mathml

    return latex2mathml(latex, **options)


class MathConversionError(ValueError):
    pass


@dataclass(frozen=True)
class MathWarning:
    line: int  # 1-based, within the converted text
    message: str


def tex_to_mathml(tex: str, display: bool) -> str:
    try:
        mathml = convert(tex.strip(), display="block" if display else "inline")
    except Exception as e:  # latex2mathml raises many exception types for malformed TeX
        raise MathConversionError(f"{type(e).__name__} {e}".strip()) from e
    mathml = typeset(mathml)  # alignment and operator spacing that MathML Core browsers need
    unknown = UNKNOWN_COMMAND.search(mathml)
    if unknown:
        command = re.sub(r"</?m[io]>", "", unknown.group(0))
        raise MathConversionError(f"unknown command {command}")
    # The xmlns attribute is implied in HTML; leaving it out keeps pages smaller.
    return mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


# Formulas repeat (a post's `$x_i$` a dozen times, a loss across a series): converting is pure
# and costs more than the rest of a post's markdown, so each process converts a formula once.
# Bounded in entries and in formula length (MathML is several times the TeX), so a long `blog
# serve` session or a hostile post holds a few MB at most; part of no cache key (same output).
FORMULA_MEMO_SIZE = 1024
FORMULA_MEMO_MAX_CHARS = 1_000


def render_formula(tex: str, display: bool) -> tuple[str, str | None]:
    """HTML for one formula and an error message (the TeX shown as code) when it cannot convert."""
    if len(tex) > FORMULA_MEMO_MAX_CHARS:
        return _render_formula(tex, display)
    return memoised_formula(tex, display)


def _render_formula(tex: str, display: bool) -> tuple[str, str | None]:
    if len(tex) > MAX_FORMULA_CHARS:
        return _as_code(tex, display), (
            f"formula of {len(tex)} characters, over the limit of {MAX_FORMULA_CHARS}; split it"
        )
    key = fragments.key("formula", tex, display, fragments.version("latex2mathml"), TYPESET_RULES, TEX_RULES)
    stored = fragments.lookup(key)
    if stored is not None:
        rendered, error = json.loads(stored)
        return rendered, error
    try:
        mathml = tex_to_mathml(tex, display)
    except MathConversionError as e:
        rendered, error = _as_code(tex, display), str(e)
    else:
        rendered, error = (f'<div class="math-display">{mathml}</div>' if display else mathml), None
    fragments.remember(key, json.dumps([rendered, error]))
    return rendered, error


# `memoised_formula.cache_info().misses` counts the conversions of short formulas.
memoised_formula = lru_cache(maxsize=FORMULA_MEMO_SIZE)(_render_formula)


def _as_code(tex: str, display: bool) -> str:
    source = html.escape(("$$%s$$" if display else "$%s$") % tex.strip())
    code = f'<code class="math-error" title="could not convert this formula">{source}</code>'
    return f'<div class="math-display">{code}</div>' if display else code


def replace_math(text: str, stash: Callable[[str], str], enabled: bool = True) -> tuple[str, list[MathWarning]]:
    """Replace every formula outside code with `stash(html)` (a placeholder the markdown engine
    swaps back). `\\$` becomes a literal dollar. Returns the new text and conversion warnings.
    With math off nothing is scanned at all (a dollar is then just a dollar)."""
    if not enabled:
        return text, []
    if "$" not in text and "\\" not in text:
        # Every opener but a code span's holds one of the two: nothing to replace (the scan would
        # only skip code spans), so no segments, code-span table or scanner (issue #19).
        return text, []
    warnings: list[MathWarning] = []
    out: list[str] = []
    for segment in segments(text):
        if segment.fenced:
            out.append(segment.text)
        else:
            out.append(_ProseScanner(segment.text, segment.first_line, stash, warnings).run())
    return "".join(out), warnings


@dataclass
class _Formula:
    end: int  # just past the closing delimiter
    tex: str
    display: bool


class _ProseScanner:
    """Formulas, code spans and `\\$` in prose, left to right, each opener tried in the order
    `code, \\$, $$, \\[, \\(, \\begin, $`. Linear: every closer is found through a forward-only
    Cursor and an inline `$` scan stops at the next dollar, so no character is read twice over."""

    def __init__(self, text: str, first_line: int, stash: Callable[[str], str], warnings: list[MathWarning]):
        self.text, self.first_line, self.stash, self.warnings = text, first_line, stash, warnings
        self._code: CodeSpans | None = None  # made at the first backtick (most prose has none)
        self._blank_positions: list[int] | None = None
        # Each built on first use (most prose has no `\\[` and no formula at all): still one pass
        # over the text per delimiter at most, so the scan stays linear.
        self.closers: dict[str, Cursor] = {}  # closing delimiter -> its positions
        self.blanks: dict[str, Cursor] = {}  # … and a cursor over the blank lines for it
        self.environments: dict[str, Cursor] = {}
        self._newlines: NewlineCursor | None = None
        self.line_start_seen = (-1, -1)  # (line start, its first non-space position) of the last line asked

    def run(self) -> str:
        text, out, copied, position = self.text, [], 0, 0
        while (opener := OPENER.search(text, position)) is not None:
            start = opener.start()
            STEPS.count += start - position + 1
            token = opener.group()
            if token == "`":
                end = self.code.end_of_span(start)
                position = end if end is not None else start + self.code.runs[start]
                continue
            if token == "\\$":
                out += [text[copied:start], "&#36;"]
                copied = position = start + 2
                continue
            formula = self._formula(start, token, opener.group("env"))
            if formula is None:
                position = start + 1
                continue
            out += [text[copied:start], self._replace(start, formula)]
            copied = position = formula.end
        out.append(text[copied:])
        return "".join(out)

    def _formula(self, start: int, token: str, environment: str | None) -> _Formula | None:
        text = self.text
        if environment:
            closer = f"\\end{{{environment}}}"
            if environment not in self.environments:
                self.environments[environment] = Cursor(occurrences(text, closer))
            end = self.environments[environment].at_or_after(start + len(token) + 1)
            return None if end is None else _Formula(end + len(closer), text[start : end + len(closer)], True)
        if token == "$" and text.startswith("$$", start):
            return self._delimited(start, "$$", True)  # a failed $$ cannot open inline math either
        if token == "\\[":
            return self._delimited(start, "\\]", True)
        if token == "\\(":
            return self._delimited(start, "\\)", False)
        return self._inline(start)

    def _delimited(self, start: int, closer: str, display: bool) -> _Formula | None:
        """Content of at least one character up to the first closer, within the paragraph."""
        if closer not in self.closers:
            self.closers[closer] = Cursor(occurrences(self.text, closer))
            self.blanks[closer] = Cursor(self.blank_positions())
        end = self.closers[closer].at_or_after(start + 3)
        if end is None:
            return None
        blank = self.blanks[closer].at_or_after(start + 2)
        if blank is not None and blank < end:
            return None
        return _Formula(end + 2, self.text[start + 2 : end], display)

    def _inline(self, start: int) -> _Formula | None:
        """pandoc's rule: `$x$` where the opening `$` is not followed by a space, the closing one
        not preceded by a space (nor a backslash) and not followed by a digit: prices survive."""
        text = self.text
        if INLINE_FIRST.match(text, start + 1) is None:
            return None
        stop = INLINE_BODY.match(text, start + 2).end()
        STEPS.count += stop - start
        if stop >= len(text) or text[stop] != "$" or text[stop - 1].isspace() or text[stop - 1] == "\\":
            return None
        if stop + 1 < len(text) and text[stop + 1].isdecimal():
            return None
        return _Formula(stop + 1, text[start + 1 : stop], False)

    @property
    def code(self) -> CodeSpans:
        if self._code is None:
            self._code = CodeSpans(self.text, self.blank_positions)
        return self._code

    def blank_positions(self) -> list[int]:
        """Where blank lines start: found once, for code spans and for display math alike."""
        if self._blank_positions is None:
            self._blank_positions = blank_lines(self.text)
        return self._blank_positions

    @property
    def newlines(self) -> NewlineCursor:
        if self._newlines is None:
            self._newlines = NewlineCursor(self.text)
        return self._newlines

    def _replace(self, start: int, formula: _Formula) -> str:
        previous_newline = self.newlines.before(start)
        line_start = 0 if previous_newline is None else previous_newline + 1
        lines_before = self.newlines.index
        rendered, error = render_formula(formula.tex, formula.display)
        if error:
            self.warnings.append(
                MathWarning(
                    self.first_line + lines_before,
                    f"cannot convert formula '{formula.tex.strip()[:60]}' to MathML: {error}; "
                    "it is shown as TeX code — fix the TeX or escape $ as \\$",
                )
            )
        placeholder = self.stash(rendered)
        if formula.display and self._alone_on_lines(line_start, start, formula.end):
            return f"\n\n{placeholder}\n\n"
        return placeholder

    def _alone_on_lines(self, line_start: int, start: int, end: int) -> bool:
        """Only white space before the formula on its first line and after it on its last."""
        if self.line_start_seen[0] != line_start:
            first = NONSPACE.search(self.text, line_start, start + 1)
            self.line_start_seen = (line_start, first.start() if first else start)
        if self.line_start_seen[1] < start:
            return False
        line_end = self.newlines.at_or_after(end)
        after = NONSPACE.search(self.text, end, len(self.text) if line_end is None else line_end)
        return after is None
