"""PyYAML's syntax errors in words an author can act on. The parser says *what* it tripped over
("mapping values are not allowed in this context"); the author needs the usual cause and its fix
(an unquoted `: ` in a title), and the line where the fix goes: for an unclosed quote or bracket
that is the line where it was opened, not the end of the file where the parser gave up.

Both loaders are covered: libyaml (CSafeLoader) and pure-Python PyYAML word their problems
differently, so matching is on the stable part of each message.
"""

from __future__ import annotations

import json
import re

import yaml

CLOSERS = {"[": "]", "{": "}", '"': '"', "'": "'"}
# `key: value` (or `- key: value`): the value is everything after the first ": ".
KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?[^\s:#'\"][^:#]*?):\s+(\S.*?)\s*$")


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(0-based line in `text`, message) for a YAML syntax error."""
    lines = text.split("\n")
    problem = (error.problem or error.context or "invalid YAML").strip()
    context = (error.context or "").strip()
    mark = error.problem_mark or error.context_mark
    # At end of input the parser points past the last line; the last line is where to look.
    line = min(mark.line if mark else 0, max(len(lines) - 1, 0))
    opened = error.context_mark
    unclosed_quote = context == "while scanning a quoted scalar" and "end of stream" in problem
    unclosed_flow = "flow" in context and ("expected ','" in problem or "end of stream" in problem)
    if opened is not None and (unclosed_quote or unclosed_flow):
        text_line = lines[opened.line] if opened.line < len(lines) else ""
        opener = text_line[opened.column : opened.column + 1] or "["
        closer = CLOSERS.get(opener, "]")
        what = "quote" if opener in "\"'" else opener
        fix = f"add the closing {closer}"
        if opener in "[{":
            fix += f" (or put the whole value in quotes if the {opener} is part of the text)"
        return opened.line, f"invalid YAML: the {what} opened on this line is never closed; {fix}"
    here = lines[line] if line < len(lines) else ""
    if "tab" in problem or "\t" in here[: len(here) - len(here.lstrip())]:
        return (
            line,
            "invalid YAML: a tab in the indentation; YAML indents with spaces only, replace the tab with spaces",
        )
    if "mapping values are not allowed" in problem:
        match = KEY_VALUE.match(lines[line]) if line < len(lines) else None
        if match and mark is not None and mark.column > len(match.group(1)):
            key, value = match.group(1).strip(), match.group(2)
            return line, (
                f'invalid YAML: a ": " inside an unquoted value; put the value in quotes: {key}: {json.dumps(value)}'
            )
        return line, "invalid YAML: a `key: value` line where none can be; check this line's indentation"
    if "expected key" in problem or "'-' indicator" in problem or "block end" in problem:
        return line, (
            f"invalid YAML: {problem}; check this line's indentation (entries of one mapping or list "
            "start in the same column), or quote a value that has text after its closing quote"
        )
    return line, f"invalid YAML: {problem}"
