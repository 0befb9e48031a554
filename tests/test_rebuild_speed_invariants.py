"""What a rebuild in a new process may touch: a cold build and a no-op rebuild give the same tree,
the no-op rebuild rewrites no published file (same inode, same mtime) and reads each cached row
once at most, opens no post source and runs no strip_html; one edited post is the one source opened,
and re-converts and re-renders that post's pages only. Counted, not timed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import jinja2

from generator import assemble
from generator.build import BuildOptions, build
from generator.incremental.state import MemoryBytecodeCache
from generator.load.content import SOURCE_READS
from generator.render import reading
from generator.incremental.store import STATE_FILE
from generator.render.cache import CACHE_FILE

POSTS = 12


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_layouts").mkdir()
    (root / "_config.yml").write_text("title: Speed\n")
    (root / "_layouts/default.html").write_text("<html><body>{{ content }}</body></html>\n")
    (root / "_layouts/post.html").write_text("---\nlayout: default\n---\n<h1>{{ page.title }}</h1>{{ content }}\n")
    for n in range(POSTS):
        body = f"Post {n} with $x_{n}$ math.\n\n```python\nprint({n})\n```\n\n## Part\n\nMore *text* {n}.\n"
        (root / f"_posts/2020-01-{n + 1:02d}-p{n}.md").write_text(f"---\ntitle: P{n}\ntags: [t{n % 3}]\n---\n{body}")
    return root


def cli_build(site: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=site, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def published(site: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every output file but the build marker: bytes, inode, mtime."""
    files = {}
    for path in sorted((site / "_site").rglob("*")):
        if path.is_file() and path.name != ".blog-build.json":
            stat = path.stat()
            files[path.relative_to(site / "_site").as_posix()] = (path.read_bytes(), stat.st_ino, stat.st_mtime_ns)
    return files


def test_a_noop_rebuild_in_a_new_process_rewrites_nothing_and_equals_cold(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    first = cli_build(site)
    cold = published(site)
    assert f"{2 * POSTS} converted" in first
    second = cli_build(site)
    assert "0 written, 0 removed (0 converted" in second, second
    assert published(site) == cold  # same bytes, and the same inodes and mtimes: nothing rewritten
    # A cold build elsewhere gives the same bytes.
    clean = make_site(tmp_path / "clean")
    cli_build(clean)
    assert {k: v[0] for k, v in published(clean).items()} == {k: v[0] for k, v in cold.items()}


def test_noop_in_process_reads_each_needed_row_once(tmp_path: Path) -> None:
    """A fresh state and a cache opened from disk, as a new `blog build` process has."""
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    with sqlite3.connect(site / ".blog-cache" / STATE_FILE) as db:
        stored_renders = db.execute("SELECT count(*) FROM renders").fetchone()[0]
    with sqlite3.connect(site / ".blog-cache" / CACHE_FILE) as db:
        stored_conversions = db.execute("SELECT count(*) FROM markdown").fetchone()[0]
    assert stored_conversions == 2 * POSTS  # body and excerpt of each post
    before = {p.name: p.stat().st_mtime_ns for p in (site / ".blog-cache").iterdir()}
    result = build(BuildOptions(source=site))
    assert (result.converted, result.cached) == (0, 2 * POSTS)
    assert result.reused == stored_renders  # every page and generated page reused, none re-rendered
    assert result.report is not None and result.report.written == [] and result.report.removed == []
    # Nothing changed, so neither store was written.
    assert {p.name: p.stat().st_mtime_ns for p in (site / ".blog-cache").iterdir()} == before


def test_one_edit_reconverts_one_post_and_writes_back_only_its_rows(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    post = site / "_posts/2020-01-05-p4.md"
    post.write_text(post.read_text() + "\nAn added paragraph.\n")
    os.utime(post, ns=(post.stat().st_atime_ns, post.stat().st_mtime_ns + 10**9))
    result = build(BuildOptions(source=site))
    assert result.converted == 1  # the body; its excerpt (first paragraph) is unchanged
    assert result.report is not None
    assert "2020/01/05/p4.html" in result.report.written
    assert all(not path.startswith("2020/01/0") or path == "2020/01/05/p4.html" for path in result.report.written)
    assert "An added paragraph." in (site / "_site/2020/01/05/p4.html").read_text()
    with sqlite3.connect(site / ".blog-cache" / CACHE_FILE) as db:  # the old body's row was dropped
        assert db.execute("SELECT count(*) FROM markdown").fetchone()[0] == 2 * POSTS


def post_reads() -> int:
    return sum(count for path, count in SOURCE_READS.items() if path.startswith("_posts/"))


def test_a_noop_rebuild_opens_no_post_and_runs_no_strip_html(tmp_path: Path) -> None:
    """A fresh state loaded from .blog-cache/, as a new process has: every post comes from the
    stat-keyed source index, and reading times and descriptions from the store."""
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    stripped = reading.STRIPPED[0]  # tag strippings for reading time and description (reading.text_facts)
    SOURCE_READS.clear()
    result = build(BuildOptions(source=site))
    assert post_reads() == 0
    assert reading.STRIPPED[0] == stripped
    assert result.report is not None and result.report.written == [] and result.report.removed == []


def test_one_edit_opens_exactly_that_post(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    post = site / "_posts/2020-01-03-p2.md"
    post.write_text(post.read_text().replace("More *text*", "Less *text*"))
    SOURCE_READS.clear()
    result = build(BuildOptions(source=site))
    assert dict(SOURCE_READS) == {"_posts/2020-01-03-p2.md": 1}
    assert result.converted == 1
    assert "Less <em>text</em>" in (site / "_site/2020/01/03/p2.html").read_text()


def test_a_touched_post_is_read_but_not_parsed_again(tmp_path: Path, monkeypatch) -> None:
    """A changed stat with the same bytes (touch, checkout): read and hashed, the Document kept."""
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    post = site / "_posts/2020-01-04-p3.md"
    os.utime(post, ns=(post.stat().st_atime_ns, post.stat().st_mtime_ns + 10**9))
    parsed: list[str] = []
    monkeypatch.setattr(assemble, "load_document", lambda source, *args: parsed.append(source.relative))
    SOURCE_READS.clear()
    result = build(BuildOptions(source=site))
    assert dict(SOURCE_READS) == {"_posts/2020-01-04-p3.md": 1} and parsed == []
    assert result.report is not None and result.report.written == []
    SOURCE_READS.clear()
    build(BuildOptions(source=site))  # the new stat was saved: not even read now
    assert post_reads() == 0


def test_a_config_change_reloads_every_post_and_equals_cold(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    (site / "_config.yml").write_text("title: Speed\ndefaults:\n  - scope: {type: posts}\n    values: {title: Same}\n")
    SOURCE_READS.clear()
    build(BuildOptions(source=site))
    assert post_reads() == POSTS
    assert "<h1>P3</h1>" in (site / "_site/2020/01/04/p3.html").read_text()  # the post's own title wins
    clean = make_site(tmp_path / "clean")
    (clean / "_config.yml").write_text((site / "_config.yml").read_text())
    cli_build(clean)
    assert {k: v[0] for k, v in published(clean).items()} == {k: v[0] for k, v in published(site).items()}


def test_a_damaged_index_row_is_read_from_the_file(tmp_path: Path) -> None:
    """.blog-cache/ may come with a stranger's tree: a row that does not decode is never trusted."""
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    cold = published(site)
    with sqlite3.connect(site / ".blog-cache" / STATE_FILE) as db:
        db.execute("UPDATE sources SET doc = '[1, [\"?\", 0]]' WHERE path = '_posts/2020-01-02-p1.md'")
    SOURCE_READS.clear()
    build(BuildOptions(source=site))
    assert dict(SOURCE_READS) == {"_posts/2020-01-02-p1.md": 1}
    assert {k: v[0] for k, v in published(site).items()} == {k: v[0] for k, v in cold.items()}


def test_one_edit_compiles_no_layout_and_safe_builds_load_no_stored_code(tmp_path: Path, monkeypatch) -> None:
    """Compiled layouts are kept in .blog-cache/: re-rendering an edited post compiles nothing. A
    --safe build (a stranger's tree, maybe with a crafted cache) never runs code read from there."""
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    compiled: list[str] = []
    loaded: list[str] = []
    original_compile = jinja2.Environment.compile
    original_load = MemoryBytecodeCache.load_bytecode

    def counting_compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(str(filename or name))
        return original_compile(self, source, name, filename, raw, defer_init)

    def counting_load(self, bucket):  # type: ignore[no-untyped-def]
        loaded.append(bucket.key)
        return original_load(self, bucket)

    monkeypatch.setattr(jinja2.Environment, "compile", counting_compile)
    monkeypatch.setattr(MemoryBytecodeCache, "load_bytecode", counting_load)
    post = site / "_posts/2020-01-06-p5.md"
    post.write_text(post.read_text() + "\nAnother paragraph.\n")
    result = build(BuildOptions(source=site))
    assert result.report is not None and "2020/01/06/p5.html" in result.report.written
    assert [name for name in compiled if name.startswith("_layouts/")] == [] and loaded
    post.write_text(post.read_text() + "\nA third paragraph.\n")
    loaded.clear()
    build(BuildOptions(source=site, safe=True))
    assert loaded == []
    assert "A third paragraph." in (site / "_site/2020/01/06/p5.html").read_text()


def test_stored_layout_code_is_not_reused_under_other_settings(tmp_path: Path) -> None:
    """Jinja folds `"/about/" | relative_url` into the compiled code: after a baseurl change, code
    kept in .blog-cache/ from the old settings must not be used."""
    site = make_site(tmp_path / "site")
    (site / "_layouts/default.html").write_text(
        '<html><body><a href="{{ "/about/" | relative_url }}">a</a>{{ content }}</body></html>\n'
    )
    build(BuildOptions(source=site))
    assert 'href="/about/"' in (site / "_site/2020/01/01/p0.html").read_text()
    (site / "_config.yml").write_text('title: Speed\nbaseurl: "/repo"\n')
    build(BuildOptions(source=site))
    assert 'href="/repo/about/"' in (site / "_site/2020/01/01/p0.html").read_text()
