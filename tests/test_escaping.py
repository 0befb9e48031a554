"""Escaping everywhere a value reaches HTML (issue #12): every built-in template — the fallbacks for
generated pages, the `blog init` layouts, this blog's own theme — rendered with hostile titles,
tags, permalinks, author and description, then read back with an HTML parser (html.parser: the
stdlib's, html5lib is not installed): no element or attribute may come from a value."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.render import filters

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "sites" / "hostile" / "sandbox_escaping"

TITLE = "<script>alert(1)</script>"
TAG = '"><img src=x onerror=alert(1)>'
PERMALINK = '/p"><svg onload=alert(1)>/'


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text("utf-8"))
    parser.close()
    return parser


def assert_nothing_injected(site: Path) -> list[Elements]:
    pages = sorted(site.rglob("*.html"))
    assert pages
    parsed = []
    for page in pages:
        elements = parse(page)
        where = page.relative_to(site).as_posix()
        for tag, attrs in elements.tags:
            assert tag not in ("img", "svg"), f"{where}: <{tag}> injected"
            assert not [name for name in attrs if name.startswith("on")], f"{where}: event handler on <{tag}>"
            for name, value in attrs.items():
                if name in ("href", "src"):
                    assert not (value or "").lower().startswith("javascript:"), f"{where}: live javascript: URL"
        assert not [s for s in elements.scripts if "alert" in s], f"{where}: script from a value"
        parsed.append(elements)
    return parsed


def build(site: Path) -> Path:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q"], cwd=site, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return site / "_site"


def hostile_site(root: Path, layouts_from: Path | None = None) -> Path:
    site = root / "site"
    shutil.copytree(FIXTURE, site, dirs_exist_ok=True)
    if layouts_from is not None:
        for folder in ("_layouts", "_includes"):
            if (layouts_from / folder).is_dir():
                shutil.copytree(layouts_from / folder, site / folder, dirs_exist_ok=True)
    return site


def check_values_arrive_as_text(site: Path, post_layout: bool = True) -> None:
    """Escaped, not dropped: the title is text on the home page and the post's page, the tag is the
    text of its tag page, and the hostile permalink is an href value of the home page."""
    home = parse(site / "index.html")
    assert TITLE in "".join(home.text)
    hrefs = [attrs.get("href") or "" for tag, attrs in home.tags if tag == "a"]
    assert any(PERMALINK in href for href in hrefs), hrefs
    post = next(p for p in site.rglob("*.html") if "svg onload" in p.as_posix())
    assert not post_layout or TITLE in "".join(parse(post).text)
    tag_pages = [p for p in (site / "tags").rglob("index.html") if p.parent != site / "tags"]
    assert any(TAG in "".join(parse(p).text) for p in tag_pages)


def test_fallback_templates_without_any_layout(tmp_path: Path) -> None:
    site = build(hostile_site(tmp_path))
    assert_nothing_injected(site)
    check_values_arrive_as_text(site, post_layout=False)  # without layouts a post is its bare content
    demos = "".join(parse(site / "demos" / "index.html").text)
    assert "<b>Demo</b>" in demos and '"><i>described' in demos


def test_blog_init_layouts_and_fallbacks(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "generator", "init", "new"], cwd=tmp_path, env=env, check=True)
    site = tmp_path / "new"
    for post in (site / "_posts").glob("*.md"):
        post.unlink()
    (site / "_config.yml").unlink()
    shutil.copytree(FIXTURE, site, dirs_exist_ok=True)
    built = build(site)
    pages = assert_nothing_injected(built)
    check_values_arrive_as_text(built)
    assert any(tag == "main" for page in pages for tag, _ in page.tags)  # the scaffold's layout was used


def test_this_blogs_theme(tmp_path: Path) -> None:
    site = build(hostile_site(tmp_path, REPO))
    pages = assert_nothing_injected(site)
    check_values_arrive_as_text(site)
    head = parse(site / "index.html")
    metas = {
        attrs.get("name") or attrs.get("property"): attrs.get("content") for tag, attrs in head.tags if tag == "meta"
    }
    assert metas["author"] == 'Ann "the" O\'Hara <b>'
    assert metas["description"].startswith('">')  # strip_html took the tags out; the quote is kept
    post = next(p for p in site.rglob("*.html") if "svg onload" in p.as_posix())
    canonical = [a["href"] for t, a in parse(post).tags if t == "link" and a.get("rel") == "canonical"]
    assert canonical and PERMALINK in canonical[0]
    assert any(t == "meta" and a.get("content") == TAG for t, a in parse(post).tags)
    assert pages


def test_javascript_urls_never_become_live_links() -> None:
    for url in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:x",
        "data:text/html,x",
    ):
        assert filters.safe_url(url) == "#"
        assert filters.relative_url(url, "/blog") == "#"
        assert filters.absolute_url(url, "https://x.org", "") == "https://x.org#"
    for url in ("https://x.org/a?b=1&c=2", "/about/", "#top", "mailto:a@b.c", "data:image/png;base64,AA"):
        assert filters.safe_url(url) == url


def test_javascript_link_in_a_theme_is_neutralised(tmp_path: Path) -> None:
    site = hostile_site(tmp_path)
    (site / "_layouts").mkdir()
    (site / "_layouts" / "post.html").write_text(
        '<a href="{{ page.link | relative_url }}">{{ page.title }}</a><a href="{{ page.link | safe_url }}">x</a>'
        "{{ content }}"
    )
    (site / "_posts" / "2020-02-02-link.md").write_text(
        "---\ntitle: L\nlayout: post\nlink: 'javascript:alert(1)'\n---\nText.\n"
    )
    built = build(site)
    assert_nothing_injected(built)
    links = [a["href"] for t, a in parse(built / "2020" / "02" / "02" / "link" / "index.html").tags if t == "a"]
    assert links == ["#", "#"]


@pytest.mark.parametrize(("value", "escaped"), [('a<b & "c"', "a&lt;b &amp; &quot;c&quot;"), ("plain", "plain")])
def test_xml_escape_is_not_escaped_twice_by_autoescaping_layouts(value: str, escaped: str) -> None:
    import jinja2

    env = jinja2.Environment(autoescape=True)
    env.filters["xml_escape"] = filters.xml_escape
    assert env.from_string("{{ v | xml_escape }}").render(v=value) == escaped
