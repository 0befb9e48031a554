"""What a `blog build` in a new process spends after rendering (issue #19), counted: the render
store is saved in one transaction with no waiting for the disk (each commit synced the journal,
the database and the folder: ~12 syncs for one edited post), the markdown cache commits without
syncs too, and the CLI, which prints only counts of the built site, does not read every post's
body back from the source index (build() called directly still returns a whole site)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.commands.cli import main
from generator.incremental import sources, store
from generator.render import cache

POSTS = 6


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_layouts").mkdir()
    (root / "_config.yml").write_text("title: Save\n")
    (root / "_layouts/default.html").write_text("<html><body>{{ content }}</body></html>\n")
    for n in range(POSTS):
        (root / f"_posts/2020-01-{n + 1:02d}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\nPost *{n}*.\n")
    return root


def traced(opened: list[tuple[sqlite3.Connection, list[str]]], real_open):  # noqa: ANN001, ANN201
    """`_open` that records every statement run on the connections it returns."""

    def opener(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        db = real_open(*args, **kwargs)
        if db is not None:
            statements: list[str] = []
            db.set_trace_callback(statements.append)
            opened.append((db, statements))
        return db

    return opener


def test_an_edit_saves_the_render_store_in_one_commit_without_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    post = site / "_posts/2020-01-03-p2.md"
    post.write_text(post.read_text() + "\nOne more line.\n")
    renders: list[tuple[sqlite3.Connection, list[str]]] = []
    markdown: list[tuple[sqlite3.Connection, list[str]]] = []
    monkeypatch.setattr(store, "_open", traced(renders, store._open))
    monkeypatch.setattr(cache, "open_store", traced(markdown, cache.open_store))
    result = build(BuildOptions(source=site))
    assert result.converted == 1
    assert len(renders) == 1 and len(markdown) == 1
    for db, _statements in (*renders, *markdown):
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 0  # OFF: no fsync at commit
    commits = [s for s in renders[0][1] if s.strip().upper() == "COMMIT"]
    assert len(commits) == 1, renders[0][1]  # renders, prints, sources, reading and bytecode together
    written = " ".join(renders[0][1])
    for table in ("renders", "prints", "sources", "reading"):
        assert f"INTO {table}" in written or f"UPDATE {table}" in written, table
    # And what it saved is read back: a no-op after it re-renders and re-converts nothing.
    again = build(BuildOptions(source=site))
    assert (again.converted, again.report and again.report.written) == (0, [])


def test_the_cli_reads_no_body_back_but_build_returns_a_whole_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "site")
    read_back: list[str] = []
    real = sources.SourceIndex.body_of

    def counting(self: sources.SourceIndex, doc):  # noqa: ANN001, ANN202
        read_back.append(doc.source.relative)
        return real(self, doc)

    monkeypatch.setattr(sources.SourceIndex, "body_of", counting)
    assert main(["build", "-q", "--source", str(site)]) == 0  # cold, in-process
    assert main(["build", "-q", "--source", str(site)]) == 0  # no-op
    assert read_back == []
    result = build(BuildOptions(source=site))
    assert len(read_back) == POSTS  # every body let go of was given back
    assert sorted(doc.body for doc in result.site.posts) == sorted(f"Post *{n}*.\n" for n in range(POSTS))


MODULES_PROBE = """
import atexit, json, runpy, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules))))
sys.argv = ["blog", "build", "--quiet"]
runpy.run_module("generator", run_name="__main__")
"""


def test_a_noop_imports_traceback_only_for_errors(tmp_path: Path) -> None:
    """`traceback` (and textwrap with it) is for --trace, a failing plugin or a failing forked
    renderer: a build that has none of them does not import it."""
    site = make_site(tmp_path / "site")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for _ in range(2):  # cold, then the no-op
        done = subprocess.run([sys.executable, "-c", MODULES_PROBE], cwd=site, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout.splitlines()[-1])
    assert "generator.build" in modules  # (the probe sees what a build imports)
    assert "traceback" not in modules and "textwrap" not in modules
