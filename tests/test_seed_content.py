"""The blog's 16 documents: every line of the author's supplied text survives in the built HTML
(compared on normalised letters and digits, so markup, quotes, entities and MathML spacing do not
matter), every code block names its language, and complete Python blocks parse."""

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


def exceptions_for(row: dict[str, str]) -> dict:
    path = EXCEPTIONS / (Path(row["file"]).stem + ".yml")
    return yaml.safe_load(path.read_text("utf-8")) or {} if path.exists() else {}


def test_there_are_sixteen_documents() -> None:
    assert len(rows()) == 16
    assert len(list(SEED.glob("*.txt"))) == 16


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["slug"])
def test_every_seed_line_survives(repo_site: Path, row: dict[str, str]) -> None:
    page = output_page(repo_site, row)
    assert page.exists(), f"{row['title']} not built at {page}"
    text = normalise(page_text(page))
    allowed = {normalise(item["text"]) for item in exceptions_for(row).get("transformed", [])}
    missing = []
    for number, line in enumerate((SEED / row["file"]).read_text("utf-8").splitlines(), start=1):
        wanted = normalise(line)
        if wanted and wanted not in text and wanted not in allowed:
            missing.append(f"{row['file']}:{number}: {line[:90]}")
    assert not missing, "lines of the author's text are missing:\n" + "\n".join(missing)


def test_every_transformed_line_is_real_and_explained() -> None:
    for row in rows():
        seed = {normalise(line) for line in (SEED / row["file"]).read_text("utf-8").splitlines()}
        for item in exceptions_for(row).get("transformed", []):
            assert normalise(item["text"]) in seed, f"{row['file']}: not a seed line: {item['text'][:60]}"
            assert len(item.get("reason", "")) > 10, f"{row['file']}: give a reason for {item['text'][:60]}"


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
        assert normalise(meta["excerpt"]) in normalise((SEED / row["file"]).read_text("utf-8")), (
            f"{path}: the excerpt must be the author's own words"
        )
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
