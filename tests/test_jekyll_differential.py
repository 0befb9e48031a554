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
- `{% gist %}` (jekyll-gist): Jekyll writes a `<script>` from gist.github.com; this generator writes
  a plain link to the gist (no third-party script). Both become the same `gist(URL FILE)` marker.
- jemoji is not packaged by Debian, so Jekyll cannot build a site naming it: jemoji is checked in
  tests/test_jekyll_collections.py instead (Unicode emoji, never images from a CDN)."""

from __future__ import annotations

import re
import shutil
import subprocess
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
