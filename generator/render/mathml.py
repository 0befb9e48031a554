"""Typesetting fixes to latex2mathml's output for browsers that implement MathML Core (Chromium):

- Core ignores `columnalign` and `columnspacing`, so `align` tables came out centred with the `=`
  signs drifting. Each cell that names an alignment gets it as CSS (`text-align`), and the table's
  column spacing becomes the cell's start padding: columns meet exactly at the author's `&`.
- Operator names (`\\log`, `\\exp`, `\\arg`, …) arrive as plain identifiers with no space, so
  `\\log p(x)` read "logp(x)". They become operators with TeX's thin space (3 mu) on each side,
  and none before an opening parenthesis (`\\log(z)`) or after an operator (`= \\log x`), as TeX
  spaces an Op atom. `\\max`, `\\min`, `\\sup`, … (already operators) get the same spacing instead
  of the browser's default thick space for unknown operators."""

from __future__ import annotations

import re

# Part of the conversion cache key (render/markup.py): bump when the output of `typeset` changes.
TYPESET_RULES = 1

# TeX's \operatorname-style commands that latex2mathml leaves as <mi>; `\arg` it does not know.
FUNCTION_NAMES = [
    "arccos",
    "arcsin",
    "arctan",
    "arg",
    "cos",
    "cosh",
    "cot",
    "coth",
    "csc",
    "deg",
    "det",
    "dim",
    "exp",
    "gcd",
    "hom",
    "ker",
    "lg",
    "ln",
    "log",
    "Pr",
    "sec",
    "sin",
    "sinh",
    "tan",
    "tanh",
]
LIMIT_OPERATORS = ["max", "min", "sup", "inf", "lim", "liminf", "limsup", "argmax", "argmin"]
THIN = "0.1667em"
OPERATOR_NAME = re.compile(
    r"<mi>\\?(?P<fn>" + "|".join(FUNCTION_NAMES) + r")</mi>|<mo>(?P<op>" + "|".join(LIMIT_OPERATORS) + r")</mo>"
)
# What may follow an operator name with no space between: an opening fence or an operator.
NO_SPACE_AFTER = re.compile(
    r"(?:</msub>|</munder>|</msup>|</msubsup>|</munderover>)?\s*"
    r"<mo(?: stretchy=\"false\")?>(?:\(|&#x00028;|\[|&#x0005B;)"
)
TABLE_TOKEN = re.compile(r"<mtable\b[^>]*>|</mtable>|<mtr\b[^>]*>|<mtd\b(?P<attrs>[^>]*?)(?P<empty>\s*/)?>")
COLUMN_SPACING = re.compile(r'columnspacing="([^"]*)"')
COLUMN_ALIGN = re.compile(r'columnalign="(left|right|center)"')


def typeset(mathml: str) -> str:
    return _space_operator_names(_align_tables(mathml))


def _space_operator_names(mathml: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group("fn") or match.group("op")
        before = mathml[: match.start()].rstrip()
        # No space at the start of a row or script, nor after a relation, binary operator or
        # opening fence (their own spacing applies); a thin one after anything ordinary (`∇`, `)`).
        ordinary = re.search(r"<mo[^>]*>(?:\)|&#x00029;|\]|&#x0005D;|&#x02207;)</mo>$", before)
        opening = before.endswith(("</mo>", "<mrow>", "<mtd>", "<math>")) or re.search(
            r"<m(?:sub|sup|under|subsup|underover)>$", before
        )
        lspace = "0" if opening and not ordinary else THIN
        rest = mathml[match.end() :]
        closing = re.match(
            r"(?:\s*<m[in][^>]*>[^<]*</m[in]>|\s*<mrow>.*?</mrow>)?\s*</m(?:sub|sup|under|subsup)>", rest
        )
        follows_fence = NO_SPACE_AFTER.match(rest[closing.end() :] if closing else rest)
        rspace = "0" if follows_fence or rest.lstrip().startswith(("</mrow>", "</mtd>", "</math>")) else THIN
        return f'<mo lspace="{lspace}" rspace="{rspace}">{name}</mo>'

    return OPERATOR_NAME.sub(replace, mathml)


def _align_tables(mathml: str) -> str:
    """Walk table tokens with a stack (tables nest: a matrix inside an aligned row)."""
    if "<mtable" not in mathml:
        return mathml
    tables: list[tuple[list[str], int]] = []  # (column spacings, index of the current column)
    out: list[str] = []
    last = 0
    for token in TABLE_TOKEN.finditer(mathml):
        out.append(mathml[last : token.start()])
        last = token.end()
        text = token.group(0)
        if text.startswith("<mtable"):
            spacing = COLUMN_SPACING.search(text)
            tables.append((spacing.group(1).split() if spacing else [], 0))
        elif text == "</mtable>":
            if tables:
                tables.pop()
        elif text.startswith("<mtr"):
            if tables:
                tables[-1] = (tables[-1][0], 0)
        elif tables:
            spacings, column = tables[-1]
            tables[-1] = (spacings, column + 1)
            align = COLUMN_ALIGN.search(token.group("attrs") or "")
            if align and "style=" not in text:
                start = spacings[(column - 1) % len(spacings)] if spacings and column > 0 else "0em"
                # Chromium lays MathML cells out by its own `-webkit-` alignment values; others read the first.
                side = align.group(1)
                style = f"text-align:{side};text-align:-webkit-{side};padding-inline:{start} 0"
                closer = " />" if token.group("empty") else ">"
                text = f'<mtd{token.group("attrs")} style="{style}"{closer}'
        out.append(text)
    out.append(mathml[last:])
    return "".join(out)
