"""The blog's 16 documents against the author's originals (tests/data/original/posts/, kramdown):
every link target and every image of an original appears in its built page, emphasis counts match,
and every image a page shows exists in the site.

The only normalisation of targets: HTML entities decoded, `/assets/...` and other root-relative
paths prefixed by the baseurl, and Jekyll's `{% post_url date-slug %}` read as that post's
permalink. Deliberate differences are listed with their reason in tests/data/seed_exceptions/
(`links_removed`, `emphasis_difference`).

    python tests/test_original_fidelity.py --table     # the per-document counts, as a table
"""

from __future__ import annotations

import csv
import html
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
ORIGINALS = TESTS / "data" / "original" / "posts"
TABLE = TESTS / "data" / "seed" / "posts.tsv"
EXCEPTIONS = TESTS / "data" / "seed_exceptions"
BASEURL = ""  # this blog's _config.yml; prefixed onto root-relative originals

# -- the originals ---------------------------------------------------------------------------------

FENCED = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
MATH = re.compile(r"\$\$.+?\$\$|\\\\\(.+?\\\\\)|\\\\\[.+?\\\\\]", re.S)
COMMENT = re.compile(r"<!--.*?-->|<svg\b.*?</svg>", re.S)
FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
# [text](target "title") — the target may hold one level of parentheses (Wikipedia URLs).
MD_LINK = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?((?:[^()<>]|\([^()]*\))*?)>?(?:\s+\"[^\"]*\")?\s*\)")
A_HREF = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"']", re.I)
IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']*)[\"']", re.I)
HTML_EMPHASIS = re.compile(r"<(em|i|b|strong)\b[^>]*>", re.I)
SPAN = r"((?:(?!\n[ \t]*\n).)+?)"  # emphasis never crosses a paragraph break
MD_STRONG = re.compile(rf"(?<![\\*\w])\*\*(?=\S){SPAN}(?<=\S)\*\*(?!\*)|(?<![\\\w])__(?=\S){SPAN}(?<=\S)__(?!\w)", re.S)
MD_EM = re.compile(
    rf"(?<![\\*\w])\*(?=[^\s*]){SPAN}(?<=[^\s\\*])\*(?![*\w])|(?<![\\\w])_(?=[^\s_]){SPAN}(?<=[^\s\\_])_(?!\w)", re.S
)
POST_URL = re.compile(r"\{% post_url (\d{4})-(\d\d)-(\d\d)-([\w-]+) %\}")


@dataclass
class Counts:
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    emphasis: int = 0


def normalise_target(target: str) -> str:
    target = html.unescape(target.strip())
    target = POST_URL.sub(r"/\1/\2/\3/\4/", target)
    if target.startswith("/") and not target.startswith("//"):
        target = BASEURL + target
    return target


def prose_of(markdown_text: str) -> str:
    """The original without front matter, code, math and comments: where markup means markup."""
    text = FRONT.sub("", markdown_text, count=1)
    for pattern in (FENCED, COMMENT, MATH, CODE_SPAN):
        text = pattern.sub(" ", text)
    return text


def original_counts(markdown_text: str) -> Counts:
    text = prose_of(markdown_text)
    counts = Counts()
    for bang, target in MD_LINK.findall(text):
        (counts.images if bang else counts.links).append(normalise_target(target))
    counts.links += [normalise_target(t) for t in A_HREF.findall(text)]
    counts.images += [normalise_target(s) for s in IMG_SRC.findall(text)]
    counts.emphasis = len(HTML_EMPHASIS.findall(text))
    without_escapes = re.sub(r"\\[*_]", "", MD_LINK.sub(lambda m: m.group(0).split("](")[0], text))
    strong = MD_STRONG.findall(without_escapes)
    counts.emphasis += len(strong)
    counts.emphasis += len(MD_EM.findall(MD_STRONG.sub(lambda m: m.group(1) or m.group(2), without_escapes)))
    return counts


# -- the built pages -------------------------------------------------------------------------------


class ProseReader(HTMLParser):
    """Links, images and emphasis inside the page's `.prose` element, leaving out code, math and
    the editor's additions (demo embeds, editor's notes and lead-ins)."""

    SKIP_CLASSES = {"demo-embed", "editor-note", "demo-lead"}
    VOID = {"img", "br", "hr", "input", "link", "meta", "source", "wbr", "area", "col", "embed", "track"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts = Counts()
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, in prose, skipped)
        self.all_images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        classes = set(attributes.get("class", "").split())
        in_prose, skipped = self.stack[-1][1:] if self.stack else (False, False)
        in_prose = in_prose or "prose" in classes
        skipped = skipped or bool(classes & self.SKIP_CLASSES) or tag in ("pre", "code", "math")
        if tag == "img":
            self.all_images.append(attributes.get("src", ""))
        if in_prose and not skipped:
            if tag == "a" and "href" in attributes and "headerlink" not in classes:
                self.counts.links.append(attributes["href"])
            elif tag == "img":
                self.counts.images.append(attributes.get("src", ""))
            elif tag in ("em", "i", "b", "strong"):
                self.counts.emphasis += 1
        if tag not in self.VOID:
            self.stack.append((tag, in_prose, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return


def built_counts(page: Path) -> tuple[Counts, list[str]]:
    reader = ProseReader()
    reader.feed(page.read_text("utf-8"))
    return reader.counts, reader.all_images


# -- documents -------------------------------------------------------------------------------------


def rows() -> list[dict[str, str]]:
    with open(TABLE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def original_path(row: dict[str, str]) -> Path:
    if row["slug"] == "neuralnets":
        return ORIGINALS / "nntutorial.md"
    (path,) = [p for p in ORIGINALS.glob("*.markdown") if p.stem[11:] == row["slug"]]
    return path


def output_page(site: Path, row: dict[str, str]) -> Path:
    if row["permalink"]:
        return site / row["permalink"].strip("/") / "index.html"
    year, month, day = row["date"].split("-")
    return site / year / month / day / row["slug"] / "index.html"


def exceptions_for(row: dict[str, str]) -> dict:
    path = EXCEPTIONS / (Path(row["file"]).stem + ".yml")
    return (yaml.safe_load(path.read_text("utf-8")) or {}) if path.exists() else {}


def compare(site: Path, row: dict[str, str]) -> tuple[Counts, Counts, list[str]]:
    """(original counts, built counts, problems) for one document."""
    original = original_counts(original_path(row).read_text("utf-8"))
    built, _ = built_counts(output_page(site, row))
    allowed = exceptions_for(row)
    removed = Counter(normalise_target(item["target"]) for item in allowed.get("links_removed", []))
    problems = []
    have_links, have_images = Counter(built.links), Counter(built.images)
    for target, wanted in Counter(original.links).items():
        if have_links[target] + removed[target] < wanted:
            problems.append(f"link target missing: {target} (original {wanted}, built {have_links[target]})")
    for src, wanted in Counter(original.images).items():
        if have_images[src] < wanted:
            problems.append(f"image missing: {src} (original {wanted}, built {have_images[src]})")
    difference = allowed.get("emphasis_difference", {}).get("built_minus_original", 0)
    if built.emphasis - original.emphasis != difference:
        problems.append(
            f"emphasis: original {original.emphasis}, built {built.emphasis} (allowed difference {difference})"
        )
    return original, built, problems


# -- tests -----------------------------------------------------------------------------------------


def test_the_counting_sees_markup() -> None:
    """Guards the parser: known markup is counted, code and math are not."""
    counts = original_counts(
        '---\ntitle: x\n---\nA [link](http://a.example/(x)) and <a href="/b">b</a>, *em*, **strong**, '
        "_under_, snake_case_name, <b>bold</b>, `*code*`, \\\\( a*b*c \\\\), ![alt](/assets/i.png) "
        '<img src="/assets/j.png">\n\n```\n*not* [this](http://no.example)\n```\n'
    )
    assert counts.links == ["http://a.example/(x)", "/b"]
    assert counts.images == ["/assets/i.png", "/assets/j.png"]
    assert counts.emphasis == 4


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["slug"])
def test_every_original_link_image_and_emphasis_survives(repo_site: Path, row: dict[str, str]) -> None:
    original, _, problems = compare(repo_site, row)
    assert original.links or original.images or row["slug"] in ("state-of-computer-vision",), "parsed nothing"
    assert not problems, f"{original_path(row).name}:\n  " + "\n  ".join(problems)


def test_every_exception_is_real_and_explained() -> None:
    for row in rows():
        original = original_counts(original_path(row).read_text("utf-8"))
        allowed = exceptions_for(row)
        for item in allowed.get("links_removed", []):
            assert normalise_target(item["target"]) in original.links, f"{row['file']}: not an original link"
            assert len(item.get("reason", "")) > 10, f"{row['file']}: give a reason"
        if "emphasis_difference" in allowed:
            assert len(allowed["emphasis_difference"].get("reason", "")) > 10, f"{row['file']}: give a reason"


def test_every_image_shown_exists(repo_site: Path) -> None:
    missing = []
    pages = [output_page(repo_site, row) for row in rows()]
    for page in pages:
        _, images = built_counts(page)
        for src in images:
            if src.startswith("/") and not (repo_site / src.lstrip("/").split("?")[0]).is_file():
                missing.append(f"{page.relative_to(repo_site)}: {src}")
    assert not missing, "\n".join(missing)


def test_all_original_images_are_in_assets() -> None:
    used = {src for row in rows() for src in original_counts(original_path(row).read_text("utf-8")).images}
    assert len(used) == 95
    assert not [src for src in used if not (REPO / src.lstrip("/")).is_file()]


# -- the table -------------------------------------------------------------------------------------


def table(site: Path) -> str:
    lines = [
        "| document | links (original → built) | images (original → built) | emphasis (original → built) |",
        "|---|---|---|---|",
    ]
    totals = [0] * 6
    for row in rows():
        original, built, problems = compare(site, row)
        numbers = [
            len(original.links),
            len(built.links),
            len(original.images),
            len(built.images),
            original.emphasis,
            built.emphasis,
        ]
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        flag = " ⚠" if problems else ""
        lines.append(
            f"| {row['slug']}{flag} | {numbers[0]} → {numbers[1]} | {numbers[2]} → {numbers[3]} | {numbers[4]} → {numbers[5]} |"
        )
    lines.append(f"| **all 16** | {totals[0]} → {totals[1]} | {totals[2]} → {totals[3]} | {totals[4]} → {totals[5]} |")
    return "\n".join(lines)


def main() -> int:
    import tempfile

    sys.path.insert(0, str(REPO))
    from generator.build import BuildOptions, build

    if "--table" not in sys.argv[1:]:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "_site"
        build(BuildOptions(source=REPO, destination=site, quiet=True))
        print(table(site))
    return 0


if __name__ == "__main__":
    sys.exit(main())
