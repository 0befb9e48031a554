"""Markdown features and build-time math: inline, display, align, escaped underscores, prices,
`\\$`, code spans and fenced code containing `$`, and failing formulas."""

from __future__ import annotations

import re

from generator.render.markup import highlight_css, render_markdown, settings_fingerprint
from generator.render.tex import replace_math, tex_to_mathml

SETTINGS: dict = {}


def html(text: str) -> str:
    return render_markdown(text, SETTINGS).html


def test_inline_math_becomes_mathml() -> None:
    out = html("The loss $L = \\sum_i x_i$ is small.")
    assert '<math display="inline">' in out
    assert "<msub><mi>x</mi><mi>i</mi></msub>" in out
    assert "$" not in out


def test_display_math_is_a_block() -> None:
    out = html("Before.\n\n$$\n\\frac{\\partial f(x,y)}{\\partial x} = \\frac{f(x+h,y) - f(x,y)}{h}\n$$\n\nAfter.")
    assert '<div class="math-display" tabindex="0"><math display="block">' in out  # focusable: it scrolls when wide
    assert "<mfrac>" in out and "<p><div" not in out


def test_bracket_paren_and_align_forms() -> None:
    out = html("Inline \\(a^2\\) and display:\n\n\\[b^2\\]\n\n\\begin{align*}\na &= b \\\\\nc &= d\n\\end{align*}\n")
    assert out.count("<math") == 3
    assert '<math display="inline"><mrow><msup><mi>a</mi>' in out
    assert "<mtable" in out


def test_underscores_and_stars_in_math_are_not_emphasis() -> None:
    out = html("Both $a_1 * b_2$ and $c_3 * d_4$ are products.")
    assert "<em>" not in out and out.count("<math") == 2


def test_escaped_underscore_in_subscript() -> None:
    out = html("Escaped $x\\_i$ works.")
    assert "<math" in out and "\\_" not in out


def test_prices_stay_literal() -> None:
    out = html("It costs $5 and $10, or $5-$10 in total.")
    assert "<math" not in out and "$5 and $10" in out and "$5-$10" in out


def test_escaped_dollar_is_literal() -> None:
    out = html("A literal \\$ sign and \\$x\\$ too.")
    assert "<math" not in out and "&#36;" in out and "\\" not in out


def test_dollars_in_code_stay_literal() -> None:
    out = html("Use `$HOME` and `echo $x$`.\n\n```bash\necho $PATH $x$\n```\n")
    assert "<math" not in out
    assert "<code>$HOME</code>" in out and "echo $x$" in out
    assert re.search(r"echo.*\$PATH", re.sub(r"<[^>]+>", "", out))


def test_failing_formula_is_shown_as_code_with_a_warning_line() -> None:
    result = render_markdown("line one\n\nline three $\\frac{1}{$ oops\n", SETTINGS)
    assert '<code class="math-error"' in result.html and "$\\frac{1}{$" in result.html
    ((line, message),) = result.warnings
    assert line == 3 and "cannot convert formula" in message


def test_unknown_tex_command_is_a_failure_not_garbage() -> None:
    result = render_markdown("see $\\notacommand{x}$", SETTINGS)
    assert result.warnings and "unknown command \\notacommand" in result.warnings[0][1]


def test_math_can_be_turned_off() -> None:
    assert "<math" not in render_markdown("$x$", {"math": False}).html


def test_replace_math_skips_fences_with_tildes_and_keeps_line_count() -> None:
    text = "~~~\n$a$\n~~~\n$b$\n"
    replaced, warnings = replace_math(text, lambda h: "@", True)
    assert replaced == "~~~\n$a$\n~~~\n@\n" and warnings == []


def test_tex_to_mathml_drops_namespace() -> None:
    assert tex_to_mathml("x", False).startswith('<math display="inline">')


def test_markdown_features() -> None:
    text = (
        "## Intro {: #custom }\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^n].\n\n[^n]: Foot.\n\n"
        'Term\n:   Def\n\n<div markdown="1">\n**bold** inside\n</div>\n\n### Sub\n\n```python\nx = 1\n```\n'
    )
    result = render_markdown(text, SETTINGS)
    out = result.html
    assert '<h2 id="custom">' in out
    assert "<table>" in out and 'class="footnote"' in out and "<dl>" in out
    assert "<strong>bold</strong>" in out
    assert '<code class="language-python">' in out and '<span class="n">x</span>' in out
    assert result.toc_count == 2 and 'href="#custom"' in result.toc and 'href="#sub"' in result.toc


def test_raw_html_passes_through() -> None:
    assert '<aside class="x"><b>raw</b></aside>' in html('<aside class="x"><b>raw</b></aside>\n')


def test_fingerprint_changes_with_settings() -> None:
    assert settings_fingerprint({}) != settings_fingerprint({"toc_depth": "2-4"})
    assert settings_fingerprint({}) == settings_fingerprint({})


def test_highlight_css_has_light_and_dark() -> None:
    css = highlight_css("friendly", "monokai")
    assert ".highlight .k" in css and "@media (prefers-color-scheme: dark)" in css


def test_code_blocks_and_display_math_are_keyboard_scrollable() -> None:
    """axe's scrollable-region-focusable: a wide block that scrolls must take keyboard focus."""
    out = html('```python\nx = 1\n```\n\n    indented code\n\n$$a^2$$\n\n<pre tabindex="-1">own</pre>\n')
    assert out.count('<pre tabindex="0">') == 2
    assert out.count('<div class="math-display" tabindex="0">') == 1
    assert '<pre tabindex="-1">own</pre>' in out  # an author's own tabindex is kept
