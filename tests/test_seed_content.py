"""The blog's 16 documents against the author's originals (tests/data/original/posts/): every
line of the original's text survives in the built HTML (compared on normalised letters and digits,
so markup, quotes, entities and MathML spacing do not matter; formulas are compared by the text
around them, since they become MathML), every code block names its language, complete Python blocks
parse, and titles, excerpts and dates are the author's. Deliberate exceptions, with their reasons,
are in tests/data/seed_exceptions/ (named after the seed table's files)."""

from __future__ import annotations

import ast
import csv
import html
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

SEED = Path(__file__).parent / "data" / "seed"
ORIGINALS = Path(__file__).parent / "data" / "original" / "posts"
EXCEPTIONS = Path(__file__).parent / "data" / "seed_exceptions"
REPO = Path(__file__).resolve().parent.parent


def rows() -> list[dict[str, str]]:
    with open(SEED / "posts.tsv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def page_text(page: Path) -> str:
    raw = page.read_text("utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def output_page(site: Path, row: dict[str, str]) -> Path:
    if row["permalink"]:
        return site / row["permalink"].strip("/") / "index.html"
    year, month, day = row["date"].split("-")
    return site / year / month / day / row["slug"] / "index.html"


FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
# Formulas (kramdown $$…$$, MathJax \\(…\\)) become MathML: the text around them is compared.
MATH = re.compile(r"\$\$.+?\$\$|\\\\\(.+?\\\\\)|\\\\\[.+?\\\\\]", re.S)
INVISIBLE = re.compile(r"<!--.*?-->|<style>.*?</style>|<iframe\b.*?</iframe>", re.S)
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
MD_LINK_TARGET = re.compile(r"\]\((?:[^()]|\([^()]*\))*\)")


def original_path(row: dict[str, str]) -> Path:
    if row["slug"] == "neuralnets":
        return ORIGINALS / "nntutorial.md"
    (path,) = [p for p in ORIGINALS.glob("*.markdown") if p.stem[11:] == row["slug"]]
    return path


def original_meta(row: dict[str, str]) -> dict:
    return yaml.safe_load(FRONT.match(original_path(row).read_text("utf-8")).group(1))


def original_fragments(row: dict[str, str]) -> list[tuple[int, str]]:
    """(line number, text) of every piece of the original's text a reader sees: markup, link
    targets and formulas left out, a line split where a formula was."""
    text = original_path(row).read_text("utf-8")
    body_start = FRONT.match(text).end()
    blank = lambda m: "\n" * m.group(0).count("\n")  # noqa: E731 (keeps line numbers)
    body = INVISIBLE.sub(blank, text[body_start:])
    if exceptions_for(row).get("svg_drawings_replaced"):
        body = SVG.sub(blank, body)
    body = MATH.sub(lambda m: "\x00" + blank(m), body)
    first = text[:body_start].count("\n") + 1
    fragments = []
    fence = None
    for number, line in enumerate(body.splitlines(), start=first):
        marker = re.match(r"^ {0,3}(```|~~~)", line)
        if marker:
            fence = None if fence else marker.group(1)
            continue
        if not fence:  # prose: link targets, tags (outside code spans) and block markers go
            line = MD_LINK_TARGET.sub("]", line)
            parts = re.split(r"(`+[^`]*`+)", line)
            line = "".join(p if i % 2 else re.sub(r"<[^>]+>", " ", p) for i, p in enumerate(parts))
            line = html.unescape(re.sub(r"^\s*(?:\d+\.|[-*+]|>|#+)\s+", "", line))
        fragments += [(number, piece) for piece in line.split("\x00") if normalise(piece)]
    return fragments


def exceptions_for(row: dict[str, str]) -> dict:
    path = EXCEPTIONS / (Path(row["file"]).stem + ".yml")
    return yaml.safe_load(path.read_text("utf-8")) or {} if path.exists() else {}


def test_there_are_sixteen_documents() -> None:
    assert len(rows()) == 16
    assert len(list(ORIGINALS.iterdir())) == 16
    assert len({original_path(row) for row in rows()}) == 16


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["slug"])
def test_every_line_of_the_original_survives(repo_site: Path, row: dict[str, str]) -> None:
    page = output_page(repo_site, row)
    assert page.exists(), f"{row['title']} not built at {page}"
    text = normalise(page_text(page))
    allowed = {normalise(item["text"]) for item in exceptions_for(row).get("transformed", [])}
    fragments = original_fragments(row)
    assert len(fragments) > 3, "the original's text was not read"
    missing = [
        f"{original_path(row).name}:{number}: {piece.strip()[:90]}"
        for number, piece in fragments
        if normalise(piece) not in text and normalise(piece) not in allowed
    ]
    assert not missing, "text of the author's original is missing:\n" + "\n".join(missing)


def test_every_exception_is_real_and_explained() -> None:
    for row in rows():
        pieces = {normalise(piece) for _, piece in original_fragments(row)}
        exceptions = exceptions_for(row)
        for item in exceptions.get("transformed", []):
            assert normalise(item["text"]) in pieces, f"{row['file']}: not text of the original: {item['text'][:60]}"
            assert len(item.get("reason", "")) > 10, f"{row['file']}: give a reason for {item['text'][:60]}"
        if "svg_drawings_replaced" in exceptions:
            assert len(str(exceptions["svg_drawings_replaced"])) > 10, f"{row['file']}: give a reason"
            assert SVG.search(original_path(row).read_text("utf-8")), f"{row['file']}: the original has no SVG"


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["slug"])
def test_code_blocks_have_a_language_and_python_parses(repo_site: Path, row: dict[str, str]) -> None:
    page = output_page(repo_site, row).read_text("utf-8")
    fragments = {item["first_line"].strip() for item in exceptions_for(row).get("python_fragments", [])}
    blocks = re.findall(r"<pre\b[^>]*>(?:<span></span>)?<code([^>]*)>(.*?)</code></pre>", page, flags=re.S)
    for attributes, body in blocks:
        match = re.search(r'class="language-([\w+-]+)"', attributes)
        assert match, (
            f"{row['slug']}: a code block without a language: {html.unescape(re.sub('<[^>]+>', '', body))[:80]}"
        )
        if match.group(1) == "python":
            code = html.unescape(re.sub(r"<[^>]+>", "", body))
            first = code.strip().splitlines()[0].strip()
            if first not in fragments:
                ast.parse(code)


def test_front_matter_matches_the_table() -> None:
    from generator.frontmatter import parse_document

    for row in rows():
        if row["layout"] == "page":
            path = REPO / f"{row['slug']}.md"
        else:
            path = REPO / "_posts" / f"{row['date']}-{row['slug']}.md"
        meta = parse_document(path.read_text("utf-8"), path).meta
        assert meta["title"] == row["title"], path
        assert meta.get("tags"), f"{path}: give it a few topic tags"
        assert isinstance(meta.get("excerpt"), str) and meta["excerpt"].strip(), f"{path}: excerpt missing"
        original = original_meta(row)
        if "excerpt" in original:
            assert meta["excerpt"] == original["excerpt"], f"{path}: the author's excerpt expected"
        else:  # no excerpt of its own: words of its text
            body = normalise(" ".join(piece for _, piece in original_fragments(row)))
            assert normalise(meta["excerpt"]) in body, f"{path}: the excerpt must be the author's words"
        assert meta["title"] == original["title"], f"{path}: the author's title expected"
        if row["layout"] == "post":
            assert str(meta["date"]) == str(original["date"]), f"{path}: the author's date expected"
        assert meta.get("comments") is True, f"{path}: comments: true is kept as data"
        assert not {"mathjax", "includelink"} & set(meta), f"{path}: keys with no meaning here are dropped"
        if row["has_math"] == "yes":
            assert meta.get("math") is True, f"{path}: math: true expected"
        if row["demo"]:
            body = path.read_text("utf-8")
            # The CIFAR-10 post describes the exercise without the tool: it links the demo instead.
            wanted = '/demos/ilsvrc/"' if row["slug"] == "manually-classifying-cifar10" else f'demo("{row["demo"]}"'
            assert wanted in body, f"{path}: embed or link the {row['demo']} demo"


def test_the_blog_builds_with_zero_warnings(tmp_path: Path) -> None:
    from generator.build import BuildOptions, build

    result = build(BuildOptions(source=REPO, destination=tmp_path / "site", write=False))
    assert [str(w) for w in result.warnings] == []
    urls = {output.url for output in result.outputs}
    for row in rows():
        expected = row["permalink"] or "/{}/{}/".format(row["date"].replace("-", "/"), row["slug"])
        assert expected in urls, row["title"]
    assert {"/about/", "/archive/", "/tags/", "/feed.xml", "/demos/"} <= urls
