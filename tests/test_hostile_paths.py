"""Security issue #12, "No way out": content is untrusted, and no spelling of a path in it may make
a build write, rename or delete anything outside the destination.

Each folder tests/sites/hostile/paths_<case>/ is laid over a small good site that was built first;
`blog build` must then print exactly the lines of its expected.txt, exit 1 without a traceback,
and leave every byte on disk as it was: the sentinel files beside the source, the source itself
and the previous site in _site/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.render.cache import ConversionCache
from generator.errors import BuildFailed
from generator.write.output import MARKER
from generator.serve.server import SiteRebuilder

from conftest import write_files

CASES = sorted(p for p in (Path(__file__).parent / "sites" / "hostile").glob("paths_*") if p.is_dir())
BASE = {
    "_config.yml": "title: Hostile\n",
    "_posts/2020-01-01-good.md": "---\ntitle: Good\ntags: [ok]\n---\nA good post.\n",
}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under root, symlinks not followed."""
    tree: dict[str, bytes | None] = {}
    for folder, subfolders, names in os.walk(root):
        for name in subfolders:
            tree[os.path.relpath(os.path.join(folder, name), root)] = None
        for name in names:
            path = os.path.join(folder, name)
            tree[os.path.relpath(path, root)] = Path(path).read_bytes()
    return tree


def hostile_world(tmp_path: Path) -> tuple[Path, Path]:
    """work/{victim.txt, victimdir/, page2/, site/ (the source), site/_site (a good build)}."""
    work = tmp_path / "work"
    write_files(work, {"victim.txt": "precious\n", "victimdir/keep.txt": "precious too\n"})
    (work / "page2").mkdir()
    (work / "page2" / "index.html").write_text("not yours\n")
    source = write_files(work / "site", BASE)
    build(BuildOptions(source=source), cache=ConversionCache())  # in-process: no interpreter start
    assert (source / "_site" / MARKER).exists()
    return work, source


def run_build(source: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--quiet", *extra],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("error: build failed")]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_hostile_path_is_refused_and_nothing_changes(case: Path, tmp_path: Path) -> None:
    work, source = hostile_world(tmp_path)
    shutil.copytree(case, source, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))
    before = snapshot(work)
    result = run_build(source)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert error_lines(result) == (case / "expected.txt").read_text("utf-8").splitlines()
    assert snapshot(work) == before, "a refused build changed files on disk"


def test_file_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    work, source = hostile_world(tmp_path)
    (source / "_posts" / os.fsdecode(b"2020-01-02-\xff.md")).write_text("---\ntitle: X\n---\nx\n")
    before = snapshot(work)
    result = run_build(source)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert error_lines(result) == [
        r"_posts/2020-01-02-\xff.md: the name b'2020-01-02-\xff.md' is not valid UTF-8, so it cannot become a URL; "
        "rename it"
    ]
    assert snapshot(work) == before


def test_symlinked_folder_in_destination_cannot_carry_a_write_outside(tmp_path: Path) -> None:
    work, source = hostile_world(tmp_path)
    site = source / "_site"
    shutil.rmtree(site / "tags")
    (site / "tags").symlink_to(work / "victimdir")
    (source / "_posts" / "2020-01-02-more.md").write_text("---\ntitle: More\ntags: [ok]\n---\nmore\n")
    before = snapshot(work)
    result = run_build(source)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert error_lines(result) == [
        f"{site / 'tags'}: this folder of the destination leads outside it (a symbolic link); remove it and build again"
    ]
    assert snapshot(work) == before


# --- serve / incremental and tampered bookkeeping -----------------------------------------------
def test_serve_rebuild_to_an_escaping_permalink_is_refused(tmp_path: Path) -> None:
    work, source = hostile_world(tmp_path)
    post = source / "_posts" / "2020-01-02-moving.md"
    post.write_text("---\ntitle: Moving\npermalink: /moving/\n---\nx\n")
    rebuilder = SiteRebuilder(BuildOptions(source=source), ConversionCache())
    assert rebuilder.rebuild().ok
    assert (source / "_site" / "moving" / "index.html").exists()
    post.write_text("---\ntitle: Moving\npermalink: /../../victim.txt\n---\nowned\n")
    before = snapshot(work)
    outcome = rebuilder.rebuild()
    assert not outcome.ok
    assert outcome.error_lines == [
        "_posts/2020-01-02-moving.md:3: permalink resolves outside the site: /../../victim.txt "
        "(a '..' folder); write a path inside the site, e.g. /blog/my-post/ without '..' or %2e%2e"
    ]
    assert snapshot(work) == before
    post.write_text("---\ntitle: Moving\npermalink: /moved/\n---\nx\n")
    assert rebuilder.rebuild().ok  # and the good path still works, deleting only our own file
    assert not (source / "_site" / "moving").exists() and (source / "_site" / "moved" / "index.html").exists()
    assert (work / "victim.txt").read_text() == "precious\n"


@pytest.mark.parametrize("listed", ["../../victim.txt", "../../victimdir/keep.txt", "/ABS/victim.txt", "..\\x"])
def test_tampered_marker_cannot_delete_outside(tmp_path: Path, listed: str) -> None:
    work, source = hostile_world(tmp_path)
    listed = listed.replace("/ABS", str(work))
    marker_path = source / "_site" / MARKER
    marker = json.loads(marker_path.read_text())
    marker["files"][listed] = ["0" * 24, 1, 1]
    marker_path.write_text(json.dumps(marker))
    result = run_build(source)
    assert result.returncode == 0, result.stderr
    assert (work / "victim.txt").read_text() == "precious\n"
    assert (work / "victimdir" / "keep.txt").read_text() == "precious too\n"
    # serve keeps the manifest in memory: the same proof guards its deletes.
    rebuilder = SiteRebuilder(BuildOptions(source=source), ConversionCache())
    assert rebuilder.rebuild().ok
    rebuilder.state.written[listed] = ("0" * 24, 1, 1)
    (source / "_posts" / "2020-01-03-new.md").write_text("---\ntitle: New\n---\nnew\n")
    assert rebuilder.rebuild().ok
    assert (work / "victim.txt").read_text() == "precious\n"
    assert (work / "victimdir" / "keep.txt").read_text() == "precious too\n"


def test_tampered_journal_cannot_rename_or_delete_outside(tmp_path: Path) -> None:
    work, source = hostile_world(tmp_path)
    site = source / "_site"
    (site / ".blog-staging").mkdir()
    (site / ".blog-staging" / "0").write_text("owned\n")
    marker = json.loads((site / MARKER).read_text())
    journal = {
        "marker_version": 2,
        "renames": [["0", "../../victim.txt"], ["../0", "x.html"]],
        "deletions": ["../../victimdir/keep.txt", "../../page2/", str(work / "victim.txt")],
        "marker": marker,
    }
    (site / ".blog-journal.json").write_text(json.dumps(journal))
    result = run_build(source)
    assert result.returncode == 0, result.stderr
    assert "completed an interrupted build" in result.stderr
    assert (work / "victim.txt").read_text() == "precious\n"
    assert (work / "victimdir" / "keep.txt").read_text() == "precious too\n"
    assert (work / "page2" / "index.html").exists()
    assert not (site / ".blog-staging").exists() and not (site / ".blog-journal.json").exists()


# --- property: a grammar of path tricks ------------------------------------------------------------
PIECES = [
    "..",
    ".",
    "%2e%2e",
    "%2e",
    "%2E%2e%2f",
    "%2f",
    "%00",
    "",
    "\\",
    "..\\..",
    "C:",
    "c:%5c",
    "a",
    "é",
    "日本",
    "x" * 256,
    "é" * 128,
    "victim.txt",
    ".blog-build.json",
    ":title",
    ":categories",
]


@st.composite
def permalinks(draw: st.DrawFn) -> str:
    segments = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6))
    lead = draw(st.sampled_from(["/", "", "//", "\\"]))
    tail = draw(st.sampled_from(["", "/", ".html", "/index.html"]))
    return lead + "/".join(segments) + tail


def escapes(root: Path, url: str) -> bool:
    """Would writing this URL's file land outside `root`, by plain path arithmetic?"""
    relative = unquote(url, errors="surrogateescape").lstrip("/") or "index.html"
    target = os.path.normpath(os.path.join(root, relative.replace("\\", "/")))
    return not (target == str(root) or target.startswith(str(root) + os.sep))


@pytest.fixture(scope="module")
def property_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return hostile_world(tmp_path_factory.mktemp("property"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(permalink=permalinks())
def test_any_permalink_is_refused_or_written_inside(property_world: tuple[Path, Path], permalink: str) -> None:
    work, source = property_world
    destination = source / "_site"
    post = source / "_posts" / "2020-01-02-prop.md"
    post.write_text(f"---\ntitle: Prop\ncategories: [c]\npermalink: {json.dumps(permalink)}\n---\nx\n", "utf-8")
    outside_before = {k: v for k, v in snapshot(work).items() if not k.startswith("site")}
    site_before = snapshot(destination)
    try:
        result = build(BuildOptions(source=source), cache=ConversionCache())
    except BuildFailed as failure:
        lines = failure.lines()
        ours = ("outside the site", "cannot be written", "is written by both")
        assert all(any(words in line for words in ours) for line in lines), lines
        assert snapshot(destination) == site_before
        if escapes(destination, permalink):
            assert any("outside the site" in line for line in lines), lines
    else:
        assert not escapes(destination, permalink)
        root = os.path.realpath(destination)
        for output in result.outputs:
            real = os.path.realpath(destination / output.output_path)
            assert real.startswith(root + os.sep) and os.path.isfile(real), output.output_path
    finally:
        post.unlink()
    assert {k: v for k, v in snapshot(work).items() if not k.startswith("site")} == outside_before
