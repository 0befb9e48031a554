"""The whole pipeline on fixture sites: golden output, publish rules, generated pages, the feed,
and the guarantees about the output folder (atomic, never half-written, stale files removed)."""

from __future__ import annotations

import filecmp
import html
import os
import re
import shutil
from html.parser import HTMLParser
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from generator.build import BuildOptions, build
from generator.incremental.store import STATE_FILE
from generator.errors import BuildFailed, ConfigError
from generator.write.output import MARKER

SITES = Path(__file__).parent / "sites"
GOLDEN = Path(__file__).parent / "golden"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


@pytest.fixture
def basic(tmp_path: Path) -> Path:
    source = tmp_path / "basic"
    shutil.copytree(SITES / "basic", source, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    return source


# Pygments' highlighted blocks, in HTML pages and (entity-escaped) inside the feed's html content.
HIGHLIGHT_BLOCK = re.compile(r'<div class="highlight">.*?</pre></div>', re.DOTALL)
# The per-token rules of a Pygments style in highlight.css: their colours are the style's choice.
STYLE_RULES = re.compile(r"(?:^[ \t]*\.highlight(?: \.[\w-]+)? \{[^}\n]*\}.*\n)+", re.MULTILINE)
FEED_HTML = re.compile(r'(<(content|summary) type="html">)(.*?)(</\2>)', re.DOTALL)


class _CodeTokens(HTMLParser):
    """One highlighted block -> [(token classes, text)], adjacent runs of one class merged. Text
    arrives with entities already decoded (convert_charrefs), so `&quot;` and `"` are the same."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.classes: list[str] = []
        self.runs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.classes.append((dict(attrs).get("class") or "") if tag in ("span", "code") else "")

    def handle_endtag(self, tag: str) -> None:
        if self.classes:
            self.classes.pop()

    def handle_data(self, data: str) -> None:
        token = next((c for c in reversed(self.classes) if c), "")
        if self.runs and self.runs[-1][0] == token:
            self.runs[-1] = (token, self.runs[-1][1] + data)
        else:
            self.runs.append((token, data))


def _code_tokens(match: re.Match[str]) -> str:
    parser = _CodeTokens()
    parser.feed(match.group(0))
    parser.close()
    return f"<highlighted {parser.runs!r}>"


def comparable(path: str, data: bytes) -> bytes | str:
    """What the golden test compares: every byte, except inside highlighted code, which becomes its
    text and token classes. Pygments' escaping is not ours to pin (2.21 stopped writing `&quot;`
    there, which broke a byte-for-byte golden on a fresh install); what the code says and how each
    token is classified is what our build is responsible for. Likewise highlight.css is compared
    without the colours of each Pygments style's token rules (2.21 recoloured monokai), keeping
    what we write around them: both styles, in this order, the dark one scoped as we scope it."""
    if path.endswith("highlight.css"):
        return STYLE_RULES.sub("<one Pygments style's rules>\n", data.decode("utf-8"))
    if not path.endswith((".html", ".xml")):
        return data
    text = data.decode("utf-8")
    if path.endswith(".xml"):
        text = FEED_HTML.sub(lambda m: m.group(1) + html.unescape(m.group(3)) + m.group(4), text)
    return HIGHLIGHT_BLOCK.sub(_code_tokens, text)


def test_basic_site_matches_golden_output(basic: Path, request: pytest.FixtureRequest) -> None:
    """Golden output, byte for byte, except highlighted code: that is compared by its text and
    token classes, and highlight.css without the style's own colours (see `comparable`), so a
    Pygments release that escapes or colours differently does not fail the suite, while a wrong
    language, lost text or changed tokenisation still does.
    Regenerate with `python -m pytest tests/test_build.py --regen-golden` and review the diff."""
    result = build(BuildOptions(source=basic))
    built = tree(result.destination)
    golden = GOLDEN / "basic"
    if request.config.getoption("--regen-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(result.destination, golden, ignore=shutil.ignore_patterns(MARKER))
    expected = tree(golden)
    assert sorted(built) == sorted(expected)
    for path in expected:
        assert comparable(path, built[path]) == comparable(path, expected[path]), (
            f"{path} differs from tests/golden/basic/{path}"
        )


def test_golden_comparison_ignores_only_escaping_in_highlighted_code() -> None:
    block = '<div class="highlight"><pre><span></span><code><span class="s2">{q}word{q}</span></code></pre></div>'
    page = "<p>{q}</p>" + block
    plain = page.format(q='"').encode()
    entity = page.replace("<p>{q}", '<p>"').format(q="&quot;").encode()
    assert comparable("a.html", plain) == comparable("a.html", entity)  # only inside the block
    assert comparable("a.html", plain) != comparable("a.html", plain.replace(b'"s2"', b'"s1"'))  # token class
    assert comparable("a.html", plain) != comparable("a.html", plain.replace(b"word", b"wort"))  # code text
    assert comparable("a.html", plain) != comparable("a.html", plain.replace(b'<p>"', b"<p>&quot;"))  # outside
    css = b"/* x */\n.highlight .k { color: #000 } /* Keyword */\n@media (prefers-color-scheme: dark) {\n  .highlight .k { color: #fff }\n}\n"
    assert comparable("highlight.css", css) == comparable("highlight.css", css.replace(b"#fff", b"#eee"))
    assert comparable("highlight.css", css) != comparable("highlight.css", css.replace(b"dark", b"light"))


def test_publish_rules(basic: Path) -> None:
    normal = build(BuildOptions(source=basic))
    urls = {o.url for o in normal.outputs}
    assert "/2020/01/01/first-post/" in urls
    assert not any("future" in u or "hidden" in u or "draft" in u for u in urls)
    everything = build(
        BuildOptions(source=basic, destination=basic / "_all", drafts=True, future=True, unpublished=True)
    )
    urls = {o.url for o in everything.outputs}
    assert {"/2099/01/01/future/", "/2020/04/01/hidden/"} <= urls
    assert any(u.endswith("/a-draft/") for u in urls)


def test_skipped_and_copied_files(basic: Path) -> None:
    site = build(BuildOptions(source=basic)).destination
    assert (site / "raw.txt").read_bytes() == (basic / "raw.txt").read_bytes()  # no front matter: byte for byte
    assert not (site / "notes.txt").exists()  # excluded
    assert not (site / ".hidden").exists() and not (site / "_private").exists()
    assert (site / ".well-known" / "security.txt").exists()  # include: wins over the dotfile rule


def test_feed_is_valid_atom_with_absolute_urls(basic: Path) -> None:
    site = build(BuildOptions(source=basic)).destination
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Fixture & Co"
    assert [entry.title for entry in feed.entries] == ["Third", "Second", "First post"]
    second = feed.entries[1]
    assert second.link == "https://example.org/blog/2020/02/10/second/"
    assert 'href="https://example.org/blog/2020/01/01/first-post/"' in second.content[0].value
    assert 'src="https://example.org/blog/assets/dot.svg"' in second.content[0].value
    assert second.published.startswith("2020-02-10T00:00:00+01:00")
    assert {tag.term for tag in feed.entries[2].tags} == {"python", "Deep Learning"}
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids)


def test_sitemap_lists_only_built_pages(basic: Path) -> None:
    site = build(BuildOptions(source=basic)).destination
    root = ET.parse(site / "sitemap.xml").getroot()
    locations = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/blog/about/" in locations
    assert all(loc.startswith("https://example.org/blog/") for loc in locations)
    for loc in locations:
        relative = loc.removeprefix("https://example.org/blog/")
        assert (site / relative / "index.html").exists() or (site / relative).is_file(), loc
    assert not any("404" in loc for loc in locations)
    assert "Sitemap: https://example.org/blog/sitemap.xml" in (site / "robots.txt").read_text()


def test_generated_pages_can_be_switched_off_and_user_files_win(basic: Path) -> None:
    (basic / "_config.yml").write_text((basic / "_config.yml").read_text() + "generate: {feed: false, tags: false}\n")
    (basic / "archive.md").write_text("---\ntitle: My own archive\n---\nMine.\n")
    site = build(BuildOptions(source=basic)).destination
    assert not (site / "feed.xml").exists() and not (site / "tags").exists()
    assert "Mine." in (site / "archive" / "index.html").read_text()


def test_failed_build_leaves_previous_site_untouched(basic: Path) -> None:
    site = build(BuildOptions(source=basic)).destination
    before = tree(site)
    (basic / "_posts" / "2020-05-05-broken.md").write_text("---\ntitle: [oops\n---\nx\n")
    (basic / "_posts" / "2020-01-01-first-post.md").write_text("---\ntitle: Changed\n---\nchanged\n")
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=basic))
    assert caught.value.lines() == [
        "_posts/2020-05-05-broken.md:2: invalid YAML: the [ opened on this line is never closed; add the closing ] (or put the whole value in quotes if the [ is part of the text)"
    ]
    assert tree(site) == before


def test_stale_files_removed_unchanged_files_not_rewritten_keep_files_kept(basic: Path) -> None:
    site = build(BuildOptions(source=basic)).destination
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    unchanged = site / "assets" / "site.css"
    inode = unchanged.stat().st_ino
    (basic / "_posts" / "2020-03-05-third.markdown").unlink()
    result = build(BuildOptions(source=basic))
    assert not (site / "notes" / "2020" / "03" / "05" / "third" / "index.html").exists()
    assert "notes/2020/03/05/third/index.html" in result.report.removed
    assert unchanged.stat().st_ino == inode  # unchanged: never rewritten
    assert "assets/site.css" not in result.report.written
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"


def test_second_build_uses_the_conversion_cache(basic: Path) -> None:
    first = build(BuildOptions(source=basic))
    assert first.converted > 0
    second = build(BuildOptions(source=basic))
    assert second.converted == 0 and second.cached == first.converted + first.cached
    assert not second.report.written  # nothing changed, nothing written


def test_layout_change_rerenders_without_reconverting(basic: Path) -> None:
    build(BuildOptions(source=basic))
    layout = basic / "_layouts" / "default.html"
    layout.write_text(layout.read_text().replace("<main>", "<main class='changed'>"))
    result = build(BuildOptions(source=basic))
    assert result.converted == 0
    assert "class='changed'" in (result.destination / "about" / "index.html").read_text()


def test_destination_safety(basic: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="contain the source"):
        build(BuildOptions(source=basic, destination=basic))
    with pytest.raises(ConfigError, match="inside the source folder _posts"):
        build(BuildOptions(source=basic, destination=basic / "_posts" / "out"))
    foreign = tmp_path / "precious"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("years of work")
    with pytest.raises(ConfigError, match="not empty and was not made by `blog build`"):
        build(BuildOptions(source=basic, destination=foreign))
    assert (foreign / "thesis.tex").read_text() == "years of work"
    build(BuildOptions(source=basic, destination=foreign, force=True))
    assert (foreign / "index.html").exists()


def test_baseurl_override_and_collision(basic: Path) -> None:
    result = build(BuildOptions(source=basic, baseurl="/other"))
    assert 'href="/other/about/"' in (result.destination / "index.html").read_text()
    (basic / "clash.md").write_text("---\npermalink: /about/\n---\nx\n")
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=basic))
    assert caught.value.lines() == [
        "clash.md:1: about/index.html is written by both about.md and clash.md; change one permalink or remove one file"
    ]


def test_math_warning_is_reported_with_the_file_line(make_site) -> None:
    source = make_site({"_posts/2020-01-01-m.md": "---\ntitle: M\n---\nok $x$\n\nbad $\\frac{a}{$ here\n"})
    result = build(BuildOptions(source=source))
    assert [str(w) for w in result.warnings] == [
        "_posts/2020-01-01-m.md:6: cannot convert formula '\\frac{a}{' to MathML: NoAvailableTokensError; "
        "it is shown as TeX code — fix the TeX or escape $ as \\$"
    ]
    html = (result.destination / "2020" / "01" / "01" / "m.html").read_text()
    assert '<code class="math-error"' in html and "$\\frac{a}{$" in html


def test_sandbox_blocks_python_internals_in_posts(make_site) -> None:
    source = make_site(
        {
            "_posts/2020-01-01-x.md": "---\ntitle: X\nrender_with_jinja: true\n---\n"
            "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"
        }
    )
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=source))
    assert caught.value.lines()[0].startswith("_posts/2020-01-01-x.md:5: ")


def test_html_files_without_layout_and_posts_as_html(make_site) -> None:
    source = make_site(
        {
            "_posts/2020-01-01-h.html": "---\ntitle: H\n---\n<p>{{ page.title }} html post</p>\n",
            "index.html": "---\n---\n<p>{{ site.posts | length }} post</p>\n",
        }
    )
    site = build(BuildOptions(source=source)).destination
    assert (site / "index.html").read_text() == "<p>1 post</p>\n"  # a user's index wins over the generated home
    post = (site / "2020" / "01" / "01" / "h.html").read_text()
    assert "<p>H html post</p>\n" in post and 'class="post' in post  # in the theme's post layout, as Jekyll does


def test_symlink_out_of_the_source_is_not_published(make_site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    source = make_site({"a.txt": "public"})
    os.symlink(secret, source / "leak.txt")
    site = build(BuildOptions(source=source)).destination
    assert (site / "a.txt").exists() and not (site / "leak.txt").exists()
    assert filecmp.cmp(site / "a.txt", source / "a.txt", shallow=False)


def test_parallel_conversion_gives_the_same_site(make_site, tmp_path: Path) -> None:
    from generator.render import documents as render

    files = {
        f"_posts/2020-01-{day:02d}-p{day}.md": f"---\ntitle: P{day}\n---\nPost {day} with $x_{day}$.\n\n"
        f"```python\nprint({day})\n```\n"
        for day in range(1, 29)
    }
    source = make_site(files)
    serial = build(BuildOptions(source=source, destination=tmp_path / "serial"))
    shutil.rmtree(source / ".blog-cache")
    minimum = render.PARALLEL_MINIMUM
    render.PARALLEL_MINIMUM = 2
    try:
        parallel = build(BuildOptions(source=source, destination=tmp_path / "parallel"))
    finally:
        render.PARALLEL_MINIMUM = minimum
    assert parallel.converted == serial.converted > 28 and parallel.cached == 0
    assert tree(parallel.destination) == tree(serial.destination)


def test_cli_rebuilds_reuse_saved_renders_and_survive_a_damaged_file(basic: Path) -> None:
    first = build(BuildOptions(source=basic))
    second = build(BuildOptions(source=basic))
    assert second.reused >= len([o for o in first.outputs if o.output_path.endswith(".html")]) - 2
    (basic / ".blog-cache" / STATE_FILE).write_text("{not a database")
    third = build(BuildOptions(source=basic))
    assert third.reused == 0 and tree(third.destination) == tree(first.destination)
