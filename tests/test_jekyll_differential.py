"""Each Jekyll fixture (tests/sites/jekyll-*) built by real Jekyll (Debian's `jekyll` with
jekyll-feed, -seo-tag, -sitemap, -paginate; installed by .ci/run) and by `blog build`: the same set
of output paths, and per HTML/XML page the same text and links after normalising whitespace.

Accepted differences, each normalised away below with its reason:
- math: kramdown without a math engine writes `\\(…\\)`/`\\[…\\]` for MathJax; this generator
  writes MathML at build time (the point of moving). Formulas are removed from both texts.
- `N words.`: number_of_words counts the words of the HTML, and code highlighting (Pygments vs
  Rouge) and MathML make different HTML for the same text.
- feed.xml, sitemap.xml: written by this generator's Atom and sitemap writers, not jekyll-feed's
  and jekyll-sitemap's templates (order, `<lastmod>` precision, Atom ids, summaries); compared
  by the set of links they list, not by text.
- `*.css.map`: Jekyll (jekyll-sass-converter) writes a source map beside each Sass page unless
  `sass: sourcemap: never`; libsass's Python binding makes maps only for files, not for the
  rendered page text, so none is written here and jekyll-minima sets `sourcemap: never`.
- CSS is compared after whitespace normalisation and without the `sourceMappingURL` comment (both
  sides are libsass: sassc in Jekyll, libsass-python here).
- Attributes (test_same_css_ids_and_attributes_as_jekyll) are compared on headings, paragraphs,
  quotes, lists, emphasis and links only: `<code>`, `<pre>`, `<span>` and `<div>` carry the
  highlighter's classes (Rouge's `highlighter-rouge`/`language-plaintext` vs Pygments'); attribute
  order inside a tag is not compared (HTML gives it no meaning).
- `{% gist %}` (jekyll-gist): Jekyll writes a `<script>` from gist.github.com; this generator writes
  a plain link to the gist (no third-party script). Both become the same `gist(URL FILE)` marker.
- jemoji is not packaged by Debian, so Jekyll cannot build a site naming it: jemoji is checked in
  tests/test_jekyll_collections.py instead (Unicode emoji, never images from a CDN)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
import sys
from pathlib import Path

import pytest

from tests.jekyll_compare import page, paths

SITES = sorted(p for p in (Path(__file__).parent / "sites").glob("jekyll-*") if p.is_dir())
JEKYLL = shutil.which("jekyll")
pytestmark = pytest.mark.skipif(
    JEKYLL is None,
    reason="jekyll not installed (apt-get install jekyll ruby-jekyll-feed ruby-jekyll-seo-tag "
    "ruby-jekyll-sitemap ruby-jekyll-paginate; .ci/run does)",
)
MATH_TEXT = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)
MATHML = re.compile(r"<math\b.*?</math>", re.S)
WORD_COUNT = re.compile(r"\d+ words\.")
LINK_ONLY = {"feed.xml", "sitemap.xml"}
THEIR_GIST = re.compile(r'<script src="(https://gist\.github\.com/[^"?]+)\.js(?:\?file=([^"]*))?"> </script>')
OUR_GIST = re.compile(r'<a class="gist" href="([^"#]+)[^"]*">View (?:(\S+) from )?gist [^<]*</a>')


def normalised(root: Path, relative: str, ours: bool) -> tuple[str, frozenset[str]]:
    path = root / relative
    source = path.read_text("utf-8")
    if ours:  # formulas out of our HTML (MathML) before reading its text
        source = OUR_GIST.sub(lambda m: f"gist({m[1]} {m[2] or ''})", MATHML.sub("", source))
    else:
        source = THEIR_GIST.sub(lambda m: f"gist({m[1]} {m[2] or ''})", source)
    cleaned = path.parent / (path.name + ".cleaned")
    cleaned.write_text(source, "utf-8")
    text, links = page(cleaned)
    cleaned.unlink()
    if not ours:
        text = re.sub(r"\s+", " ", MATH_TEXT.sub("", text)).strip()
    text = re.sub(r"\s+", " ", WORD_COUNT.sub("N words.", text)).strip()
    return text, links


def build_both(site: Path, tmp: Path) -> tuple[Path, Path]:
    source = tmp / "source"
    shutil.copytree(site, source, ignore=shutil.ignore_patterns(".blog-cache", "_site", ".jekyll-cache"))
    theirs = tmp / "jekyll"
    subprocess.run(
        [JEKYLL, "build", "-s", str(source), "-d", str(theirs), "--disable-disk-cache", "--quiet"],
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp), "JEKYLL_ENV": "development", "LANG": "C.UTF-8"},
    )
    ours = tmp / "ours"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--destination", str(ours)],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return ours, theirs


@pytest.mark.parametrize("site", SITES, ids=[s.name for s in SITES])
def test_same_site_as_jekyll(site: Path, tmp_path: Path) -> None:
    ours, theirs = build_both(site, tmp_path)
    assert paths(ours) == paths(theirs)
    differences = []
    for relative in sorted(paths(theirs)):
        if not relative.endswith((".html", ".xml")):
            continue
        our_text, our_links = normalised(ours, relative, ours=True)
        their_text, their_links = normalised(theirs, relative, ours=False)
        if relative in LINK_ONLY:
            wanted = {link for link in their_links if link.startswith("http")}
            our_text = their_text  # text compared only through the links (see the module docstring)
            their_links = frozenset(wanted)
            our_links = frozenset(link for link in our_links if link.startswith("http"))
            if relative == "sitemap.xml":  # <loc> is text, not an attribute
                our_links = frozenset(re.findall(r"<loc>(.*?)</loc>", (ours / relative).read_text()))
                their_links = frozenset(re.findall(r"<loc>(.*?)</loc>", (theirs / relative).read_text()))
        if our_text != their_text:
            differences.append(f"{relative}: text\n  ours:   {our_text}\n  Jekyll: {their_text}")
        if our_links != their_links:
            differences.append(
                f"{relative}: links only ours {sorted(our_links - their_links)}, only Jekyll {sorted(their_links - our_links)}"
            )
    assert not differences, "\n".join(differences)


class _Attributes(HTMLParser):
    """(tag, id, classes, other attributes) of the elements markdown attributes land on: headings
    (kramdown's ids), paragraphs, quotes, lists, emphasis and links (IALs and ALDs)."""

    TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "ul", "ol", "em", "strong", "a"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TAGS:
            values = dict(attrs)
            classes = " ".join(sorted((values.pop("class", None) or "").split()))
            if tag == "a" and classes == "gist":  # our link where jekyll-gist writes a <script> (listed above)
                return
            other = " ".join(f"{k}={v}" for k, v in sorted(values.items()) if k not in ("href", "id"))
            self.found.append((tag, values.get("id") or "", classes, other))


def attributes(path: Path) -> list[tuple[str, str, str, str]]:
    reader = _Attributes()
    reader.feed(path.read_text("utf-8"))
    return reader.found


def css(path: Path) -> str:
    """Whitespace and the source-map comment out: libsass here and sassc (libsass) in Jekyll."""
    text = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", path.read_text("utf-8"))
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("site", SITES, ids=[s.name for s in SITES])
def test_same_css_ids_and_attributes_as_jekyll(site: Path, tmp_path: Path) -> None:
    """Sass output (compared after whitespace normalisation), kramdown's heading ids and the
    attributes IALs/ALDs set: per HTML page, the same elements carry the same ids, classes and
    attributes, in the same order."""
    ours, theirs = build_both(site, tmp_path)
    differences = []
    for relative in sorted(paths(theirs)):
        if relative.endswith(".css") and css(ours / relative) != css(theirs / relative):
            differences.append(f"{relative}: CSS differs")
        if relative.endswith(".html") and attributes(ours / relative) != attributes(theirs / relative):
            mine, jekyll = attributes(ours / relative), attributes(theirs / relative)
            only = [a for a in mine if a not in jekyll], [a for a in jekyll if a not in mine]
            differences.append(f"{relative}: attributes only ours {only[0]}, only Jekyll {only[1]}")
    assert not differences, "\n".join(differences)
