"""TeX -> MathML at build time (latex2mathml), so pages need no math JavaScript and no CDN.

Math is found before any other markdown processing (so `_` and `*` inside formulas are never read as
emphasis) while skipping fenced code and code spans, where `$` stays literal. Inline `$…$` follows
pandoc's rule so prices survive: the opening `$` is not followed by a space, the closing `$` is not
preceded by a space nor followed by a digit."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from latex2mathml.converter import convert

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
TOKENS = re.compile(
    r"""
     (?P<code>(?P<ticks>`+)(?:(?!\n[ \t]*\n).)+?(?P=ticks))
    |(?P<escaped>\\\$)
    |\$\$(?P<display>(?:(?!\n[ \t]*\n).)+?)\$\$
    |\\\[(?P<bracket>(?:(?!\n[ \t]*\n).)+?)\\\]
    |\\\((?P<paren>(?:(?!\n[ \t]*\n).)+?)\\\)
    |(?P<env>\\begin\{(?P<envname>align\*?|equation\*?|gather\*?)\}.+?\\end\{(?P=envname)\})
    |\$(?P<inline>[^\s$](?:[^$\n\\]|\\.|\n(?![ \t]*\n))*?)(?<![\s\\])\$(?!\d)
    """,
    re.S | re.X,
)
# latex2mathml passes unknown commands through as identifiers; that is a failed conversion to us.
UNKNOWN_COMMAND = re.compile(r"<m[io]>\\[A-Za-z]+</m[io]>")


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
    unknown = UNKNOWN_COMMAND.search(mathml)
    if unknown:
        command = re.sub(r"</?m[io]>", "", unknown.group(0))
        raise MathConversionError(f"unknown command {command}")
    # The xmlns attribute is implied in HTML; leaving it out keeps pages smaller.
    return mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


def render_formula(tex: str, display: bool) -> tuple[str, str | None]:
    """HTML for one formula and an error message (the TeX shown as code) when it cannot convert."""
    try:
        mathml = tex_to_mathml(tex, display)
    except MathConversionError as e:
        source = html.escape(("$$%s$$" if display else "$%s$") % tex.strip())
        code = f'<code class="math-error" title="could not convert this formula">{source}</code>'
        return (f'<div class="math-display">{code}</div>' if display else code), str(e)
    return (f'<div class="math-display">{mathml}</div>' if display else mathml), None


def replace_math(text: str, stash: callable[[str], str], enabled: bool = True) -> tuple[str, list[MathWarning]]:
    """Replace every formula outside code with `stash(html)` (a placeholder the markdown engine
    swaps back). `\\$` becomes a literal dollar. Returns the new text and conversion warnings."""
    warnings: list[MathWarning] = []
    out: list[str] = []
    prose: list[str] = []
    line_number = 1
    prose_start = 1
    fence: str | None = None

    def flush() -> None:
        if prose:
            out.append(_replace_in_prose("".join(prose), prose_start, stash, warnings, enabled))
            prose.clear()

    for line in text.splitlines(keepends=True):
        marker = FENCE.match(line)
        if fence is None and marker:
            flush()
            fence = marker.group(1)[0] * len(marker.group(1))
            out.append(line)
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
        else:
            if not prose:
                prose_start = line_number
            prose.append(line)
        line_number += 1
    flush()
    return "".join(out), warnings


def _replace_in_prose(text: str, first_line: int, stash, warnings: list[MathWarning], enabled: bool) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group("code"):
            return match.group(0)
        if match.group("escaped"):
            return "&#36;"
        if not enabled:
            return match.group(0)
        display = match.group("inline") is None and match.group("paren") is None
        tex = next(
            group
            for group in (
                match.group("display"),
                match.group("bracket"),
                match.group("paren"),
                match.group("env"),
                match.group("inline"),
            )
            if group is not None
        )
        rendered, error = render_formula(tex, display)
        if error:
            line = first_line + text.count("\n", 0, match.start())
            warnings.append(
                MathWarning(
                    line,
                    f"cannot convert formula '{tex.strip()[:60]}' to MathML: {error}; "
                    "it is shown as TeX code — fix the TeX or escape $ as \\$",
                )
            )
        placeholder = stash(rendered)
        return f"\n\n{placeholder}\n\n" if display and _alone_on_lines(text, match) else placeholder

    return TOKENS.sub(substitute, text)


def _alone_on_lines(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start()].rsplit("\n", 1)[-1]
    after = text[match.end() :].split("\n", 1)[0]
    return not before.strip() and not after.strip()
