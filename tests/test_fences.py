"""The fenced-code path that reuses Pygments objects gives exactly the HTML Python-Markdown's own
fenced_code + CodeHilite give, block by block, in every shape a fence can take."""

from __future__ import annotations

import markdown
import pytest
from markdown.extensions.codehilite import CodeHiliteExtension

from generator.render.fences import FencesExtension, PygmentsObjects
from generator.render.markup import LanguageClassFormatter, render_markdown

FENCES = [
    "```python\nprint('hi')\n```",
    "```\nno language <b>\n```",
    "```nosuchlanguage\nx = 1\n```",
    "``` { .python #an-id .extra hl_lines='2' }\na = 1\nb = 2\n```",
    '```python hl_lines="1 3"\na\nb\nc\n```',
    "``` { .js linenums='true' }\nlet a = 1;\n```",
    "``` { .python use_pygments=false data-x='y' }\nraw <i>\n```",
    "```{.unbalanced\nx\n```",
    "    indented code\n    block",
    "```c\nint main(void) { return 0; }\n```\n\ntext\n\n```python\nprint(1)\n```",
]


def upstream(text: str) -> str:
    ext = CodeHiliteExtension(css_class="highlight", guess_lang=False, pygments_formatter=LanguageClassFormatter)
    return markdown.markdown(text, extensions=["fenced_code", "attr_list", ext])


def ours(text: str, objects: PygmentsObjects) -> str:
    ext = CodeHiliteExtension(css_class="highlight", guess_lang=False, pygments_formatter=objects.formatter)
    return markdown.markdown(text, extensions=[FencesExtension(objects), "attr_list", ext])


@pytest.mark.parametrize("text", FENCES)
def test_same_html_as_codehilite(text: str) -> None:
    objects = PygmentsObjects(LanguageClassFormatter)
    assert ours(text, objects) == upstream(text)
    assert ours(text, objects) == upstream(text)  # and again with the objects reused


def test_one_formatter_and_lexer_per_language() -> None:
    objects = PygmentsObjects(LanguageClassFormatter)
    for _ in range(5):
        ours("```python\na = 1\n```\n\n```python\nb = 2\n```\n\n```c\nint x;\n```", objects)
    assert len(objects._formatters) == 2 and len(objects._lexers) == 2


def test_render_markdown_highlights_with_the_language_class() -> None:
    html = render_markdown("```python\nx = 1\n```\n", {}).html
    assert '<code class="language-python">' in html and '<span class="n">x</span>' in html
