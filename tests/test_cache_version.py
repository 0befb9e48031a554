"""The markdown cache is versioned: a cache another version of blog wrote is removed and rebuilt
with one line saying so, never misread."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from generator.incremental.fragments import FILE_NAME as FRAGMENTS_FILE
from generator.incremental.store import STATE_FILE
from generator.render.cache import CACHE_FILE, CACHE_FORMAT


def build(site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--quiet"], cwd=site, capture_output=True, text=True, timeout=120
    )


def test_an_old_cache_is_rebuilt_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nHello *there*.\n")
    old = tmp_path / ".blog-cache" / "markdown-v1.json"
    old.parent.mkdir()
    # A version-1 cache whose only entry would be wrong if it were read as the current format.
    old.write_text(json.dumps({"0" * 64: ["<p>stale</p>", "", 0, []]}))
    first = build(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        "note: .blog-cache/markdown-v1.json is from another version of blog; rebuilding the markdown cache"
    ]
    assert not old.exists()
    assert saved_format_and_rows(tmp_path / ".blog-cache" / CACHE_FILE) == (CACHE_FORMAT, 2)  # body, excerpt
    assert any("<em>there</em>" in page.read_text() for page in (tmp_path / "_site").rglob("*.html"))
    second = build(tmp_path)
    assert second.returncode == 0 and second.stderr == ""  # said once, not on every build


def saved_format_and_rows(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0], db.execute("SELECT count(*) FROM markdown").fetchone()[
            0
        ]


def test_the_json_caches_of_version_2_are_retired_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("---\ntitle: Home\n---\nHi *you*\n")
    folder = tmp_path / ".blog-cache"
    folder.mkdir()
    (folder / "markdown-v2.json").write_text(json.dumps({"format": 2, "entries": {"0" * 64: ["<p>x</p>", "", 0, []]}}))
    (folder / "renders-v1.json").write_text(json.dumps({"document_prints": {}, "renders": {"index.html": []}}))
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "note: .blog-cache/markdown-v2.json is from another version of blog; rebuilding the markdown cache"
    ]
    # (fragments-v1.sqlite: the fragment memo, which keeps the highlight stylesheet and parsed YAML too)
    assert sorted(p.name for p in folder.iterdir()) == [FRAGMENTS_FILE, CACHE_FILE, STATE_FILE]
    assert "<em>you</em>" in (tmp_path / "_site" / "index.html").read_text()


def test_a_cache_of_another_format_under_the_current_name_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("---\ntitle: Home\n---\nHi\n")
    cache = tmp_path / ".blog-cache" / CACHE_FILE
    cache.parent.mkdir()
    cache.write_text(json.dumps({"format": CACHE_FORMAT + 1, "entries": {"x": 1}}))  # not even SQLite
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert saved_format_and_rows(cache) == (CACHE_FORMAT, 2)
    with sqlite3.connect(cache) as db:  # a SQLite file of a later format: not read either
        db.execute(f"PRAGMA user_version = {CACHE_FORMAT + 1}")
        db.execute("UPDATE markdown SET html = '<p>misread</p>'")
    (tmp_path / "_site" / "index.html").unlink()
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "misread" not in (tmp_path / "_site" / "index.html").read_text()
    assert saved_format_and_rows(cache) == (CACHE_FORMAT, 2)
