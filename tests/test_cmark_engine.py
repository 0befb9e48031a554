"""The opt-in cmark engine (`markdown: {engine: cmark}`, render/cmark_engine.py) against the default
Python-Markdown engine: the fixture site tests/sites/basic and this repository's blog are built
under both, and what readers get must agree — the same output paths, the same text (whitespace
normalised), the same MathML, the same highlighted code tokens, the same heading ids and TOC.

Known differences (the markup only; none changes the text except where said):
- Footnotes: GFM's markup (`<sup class="footnote-ref">`, ids `fn-1`/`fnref-1`, `<section
  class="footnotes">`) instead of Python-Markdown's (`fn:1`, `<div class="footnote">`): cmark-gfm
  renders them itself. Links into footnotes from elsewhere would need the other id.
- GFM autolinks: a bare `http://…` or `www.…` becomes a link. Text changes in one blog post:
  `*http://www.*` becomes a link `http://www` then `.` (the text extractor sees a gap).
- Strikethrough `~~x~~` is `<del>` (Python-Markdown has no strikethrough: literal tildes).
- Code spans keep their inner spaces as CommonMark says (one leading/trailing space pair is
  stripped; Python-Markdown strips all) — `self.h = ... ` keeps a trailing space.
- Raw HTML: CommonMark's HTML-block rules decide where a block ends (a blank line), so an inline
  tag opening a line is not wrapped in `<p>` as Python-Markdown does, and markdown after a blank
  line inside a `<div>` is converted; `markdown="1"` (md_in_html) is not read.
- Serialisation: XHTML-style `<img … />`, `<br />`, `<hr />`; no trailing spaces before `</p>`
  or `</li>`; `&quot;` in text is written as `"` (as Python-Markdown does) but attribute order
  differs (`src` before `alt`).
- Attribute lists: `{: …}` is read on headings, as the last line of a paragraph and after an
  image; not on other inline elements, list items or tables (Python-Markdown reads them there).
- Smart quotes (`smart_quotes: true`) are characters (`“`) instead of entities (`&ldquo;`).
- Python-Markdown's `def_list` and `abbr` extensions have no cmark counterpart: their source shows
  as text. Fenced code inside a list item is highlighted (Python-Markdown leaves it unhighlighted).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.config import MARKDOWN_DEFAULTS, load_config
from generator.errors import GeneratorError
from generator.render.markup import render_markdown, settings_fingerprint

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).parent / "sites"
CMARK = {**MARKDOWN_DEFAULTS, "engine": "cmark"}
HIGHLIGHT_BLOCK = re.compile(r'<div class="highlight">.*?</pre></div>', re.S)
MATH = re.compile(r"<math\b.*?</math>", re.S)
HEADING = re.compile(r'<h([1-6])\b[^>]*\bid="([^"]*)"')
TOC = re.compile(r'<div class="toc">.*?</div>', re.S)
FEED_HTML = re.compile(r'(<(content|summary) type="html">)(.*?)(</\2>)', re.S)
# The blog's text that differs on purpose (see the docstring): page -> (default engine's, cmark's).
AUTOLINK = ("the http://www. sequence", "the http://www . sequence")
BLOG_TEXT_DIFFERENCES = {"2015/05/21/rnn-effectiveness/index.html": AUTOLINK, "feed.xml": AUTOLINK}


class _Text(HTMLParser):
    """Text content; inside highlighted code also the token classes, so they are compared too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.classes.append(dict(attrs).get("class") or "" if tag == "span" else "")

    def handle_endtag(self, tag: str) -> None:
        if self.classes:
            self.classes.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def code_tokens(markup: str) -> list[list[tuple[str, str]]]:
    """Every highlighted block as [(token class, text)] (Pygments' escaping left aside)."""
    blocks = []
    for block in HIGHLIGHT_BLOCK.findall(markup):
        parser = _Tokens()
        parser.feed(block)
        blocks.append(parser.runs)
    return blocks


class _Tokens(_Text):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[tuple[str, str]] = []

    def handle_data(self, data: str) -> None:
        token = next((c for c in reversed(self.classes) if c), "")
        if self.runs and self.runs[-1][0] == token:
            self.runs[-1] = (token, self.runs[-1][1] + data)
        else:
            self.runs.append((token, data))


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text("utf-8", errors="replace")
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".xml") and not p.name.startswith(".")
    }


def cmark_config(config: Path, destination: Path) -> Path:
    """The site's _config.yml with `engine: cmark` added to its markdown settings."""
    text = config.read_text("utf-8")
    if re.search(r"^markdown:[ \t]*$", text, re.M):
        text = re.sub(r"^markdown:[ \t]*$", "markdown:\n  engine: cmark", text, count=1, flags=re.M)
    else:
        text += "\nmarkdown: {engine: cmark}\n"
    destination.write_text(text, "utf-8")
    return destination


def assert_same_for_readers(default: Path, cmark: Path, differences: dict[str, tuple[str, str]]) -> None:
    ours, theirs = tree(default), tree(cmark)
    assert sorted(p.relative_to(default).as_posix() for p in default.rglob("*") if p.is_file()) == sorted(
        p.relative_to(cmark).as_posix() for p in cmark.rglob("*") if p.is_file()
    )
    assert ours.keys() == theirs.keys() and ours
    for path, page in ours.items():
        other = theirs[path]
        if path.endswith(".xml"):  # the feed: its entries' HTML, unescaped
            page, other = (FEED_HTML.sub(lambda m: html.unescape(m[3]), t) for t in (page, other))
        assert MATH.findall(page) == MATH.findall(other), f"{path}: MathML differs"
        assert code_tokens(page) == code_tokens(other), f"{path}: highlighted code differs"
        assert HEADING.findall(page) == HEADING.findall(other), f"{path}: heading ids differ"
        assert [text_of(t) for t in TOC.findall(page)] == [text_of(t) for t in TOC.findall(other)], path
        expected, got = text_of(page), text_of(other)
        if path in differences:
            before, after = differences[path]
            assert before in expected and after in got, path
            expected = expected.replace(before, after)
        assert expected == got, f"{path}: text differs"


def test_basic_site_reads_the_same_under_both_engines(tmp_path: Path) -> None:
    source = tmp_path / "basic"
    shutil.copytree(SITES / "basic", source, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    default = build(BuildOptions(source=source, destination=tmp_path / "default")).destination
    config = cmark_config(source / "_config.yml", tmp_path / "cmark.yml")
    cmark = build(BuildOptions(source=source, destination=tmp_path / "cmark", config_file=config))
    assert cmark.converted > 0  # the cache key holds the engine: nothing was served from the default's
    assert_same_for_readers(default, cmark.destination, {})
    page = (cmark.destination / "2020" / "02" / "10" / "second" / "index.html").read_text()
    assert '<div class="math-display" tabindex="0"><math display="block">' in page
    assert 'width="10"' in page  # `{: width="10" }` after an image


@pytest.mark.slow  # the blog's default build is the session's `repo_site`; this adds a second one
def test_the_blog_reads_the_same_under_both_engines(repo_site: Path, tmp_path: Path) -> None:
    """`blog build` at the repository root with engine: cmark, against the default build."""
    config = cmark_config(REPO / "_config.yml", tmp_path / "cmark.yml")
    destination = tmp_path / "site"
    command = [sys.executable, "-m", "generator", "build", "--quiet", "--config", str(config), "-d", str(destination)]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    assert_same_for_readers(repo_site, destination, BLOG_TEXT_DIFFERENCES)
    assert MATH.search((destination / "2016" / "05" / "31" / "rl" / "index.html").read_text())


def render(text: str, **settings: object) -> str:
    return render_markdown(text, {**CMARK, **settings}).html


def test_passes_around_cmark() -> None:
    out = render('# A *b* {: .x #top}\n\n## A b\n\n## A b\n\npara\n{: .note }\n\n![i](/i.png){: width="3" }\n')
    assert '<h1 class="x" id="top">A <em>b</em><a class="headerlink" href="#top"' in out
    assert '<h2 id="a-b">' in out and '<h2 id="a-b_1">' in out  # the toc extension's ids
    assert '<p class="note">para</p>' in out and 'width="3"' in out
    assert "data-sourcepos" not in out


def test_math_code_and_gfm() -> None:
    out = render(
        "Cost $5 and $x^2$.\n\n$$a_1$$\n\n```python\nx = 1  # $y$\n```\n\n| a |\n|---|\n| ~~b~~ |\n\nn[^1]\n\n[^1]: f\n"
    )
    assert "Cost $5 and <math" in out and "<msub>" in out  # a price stays, inline and display math
    assert '<div class="math-display" tabindex="0"><math display="block">' in out
    assert '<code class="language-python"><span class="n">x</span>' in out
    assert '<span class="c1"># $y$</span>' in out  # no math inside code
    assert "<table>" in out and "<del>b</del>" in out and 'id="fn-1"' in out


def test_raw_html_is_kept_as_the_default_engine_keeps_it() -> None:
    raw = '<iframe src="https://example.org/demo" width="5"></iframe>\n\n<script>let a = 1 < 2;</script>\n'
    out = render(raw)
    assert '<iframe src="https://example.org/demo" width="5"></iframe>' in out
    assert "<script>let a = 1 < 2;</script>" in out


def test_toc_and_its_marker() -> None:
    result = render_markdown("[TOC]\n\n## One\n\n### Two\n\n#### Deep\n", CMARK)
    default = render_markdown("[TOC]\n\n## One\n\n### Two\n\n#### Deep\n", MARKDOWN_DEFAULTS)
    assert result.toc == default.toc and result.toc_count == default.toc_count == 2
    assert result.html.startswith('<div class="toc">')


def test_kramdown_dialect_under_cmark() -> None:
    out = render("a $x$ b $$y_1$$\n", dialect="kramdown")
    assert "a $x$ b <math" in out  # kramdown: only `$$` is math


def test_cache_key_holds_the_engine() -> None:
    assert settings_fingerprint(CMARK) != settings_fingerprint(MARKDOWN_DEFAULTS)


def test_engine_setting_is_checked_and_jekylls_string_form_stays_valid(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("markdown: {engine: commonmark}\n")
    with pytest.raises(GeneratorError, match=r"_config.yml:1: markdown.engine: must be python-markdown"):
        load_config(tmp_path)
    (tmp_path / "_config.yml").write_text("markdown: kramdown\n")
    assert load_config(tmp_path).markdown["engine"] == "python-markdown"
    (tmp_path / "_config.yml").write_text("markdown: {engine: cmark}\n")
    assert load_config(tmp_path).markdown["engine"] == "cmark"


def test_markdown_inside_html_blocks() -> None:
    """md_in_html's common form; a tag never closed is left as cmark reads it (and not searched again)."""
    out = render('<div markdown="1">\n*a*\n\n<section class="s" markdown="1">\n*b*\n</section>\n')
    assert '<section class="s">\n<p><em>b</em></p>\n</section>' in out
    assert '<div markdown="1">' in out and "*a*" in out


def test_placeholders_cannot_be_forged_from_entities() -> None:
    """cmark decodes `&#2;`: text spelling Python-Markdown's placeholder must stay text."""
    out = render("$x$ and &#2;wzxhzdk:0&#3; and &#2;wzxhzdk:9&#3;\n")
    assert out.count("<math") == 1 and "wzxhzdk:9" in out
