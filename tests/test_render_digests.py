"""Each stored render keeps its output digest (incremental/digested.py): a rebuild in a new
process knows a reused page's digest without hashing its bytes. Counted (outputs hashed), not timed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.incremental.digested import digest_of
from generator.incremental import bigrows, store
from generator.incremental.store import STATE_FILE
from generator.write import spool
from test_rebuild_speed_invariants import POSTS, make_site, published


def test_reused_pages_are_not_hashed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[int] = []
    monkeypatch.setattr(spool, "digest_of", lambda data: (hashed.append(len(data)), digest_of(data))[1])
    site = make_site(tmp_path / "site")
    counts = []
    for step in ("cold", "noop", "edit"):
        if step == "edit":
            post = site / "_posts/2020-01-03-p2.md"
            post.write_text(post.read_text() + "\nEdited.\n")
        hashed.clear()
        build(BuildOptions(source=site))  # a fresh state, the store opened from disk: a new process's
        counts.append(len(hashed))
    # Only outputs made outside the render store (feeds, sitemap…) are hashed by the spool, as
    # many in a rebuild as in the cold build: no post page (its digest came with its render).
    assert counts[0] == counts[1] == counts[2] < POSTS, counts


def test_stored_digests_are_those_of_the_published_bytes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    post = site / "_posts/2020-01-05-p4.md"
    post.write_text(post.read_text().replace("More", "Less"))
    build(BuildOptions(source=site))
    with sqlite3.connect(site / ".blog-cache" / STATE_FILE) as db:
        rows = db.execute("SELECT path, data, digest FROM renders").fetchall()
    assert len(rows) > POSTS
    files = published(site)
    for path, data, digest in rows:
        assert digest == digest_of(data), path
        assert files[path][0] == data, path


def test_a_format_2_store_is_replaced_and_the_output_is_the_same(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    cold = {k: v[0] for k, v in published(site).items()}
    cache = site / ".blog-cache"
    # A format-2 store (no digest column) with a stale row that would be wrong if it were read.
    (cache / STATE_FILE).rename(cache / "renders-v2.sqlite")
    with sqlite3.connect(cache / "renders-v2.sqlite") as db:
        db.execute("PRAGMA user_version = 2")
        db.execute("ALTER TABLE renders DROP COLUMN digest")
        db.execute("UPDATE renders SET data = x'00'")
    post = site / "_posts/2020-01-02-p1.md"
    post.write_text(post.read_text())  # (a new mtime: not a no-op)
    build(BuildOptions(source=site))
    assert not (cache / "renders-v2.sqlite").exists()
    assert {k: v[0] for k, v in published(site).items()} == cold


def test_stored_renders_are_read_ahead_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild reads its stored renders AHEAD rows per query in table order, not one query each."""
    stores: list[store.RenderStore] = []
    made = store.RenderStore.__init__

    def remember(self: store.RenderStore, *args: object) -> None:
        made(self, *args)  # type: ignore[arg-type]
        stores.append(self)

    monkeypatch.setattr(bigrows, "AHEAD", 4)
    monkeypatch.setattr(store.RenderStore, "__init__", remember)
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    cold = {k: v[0] for k, v in published(site).items()}
    post = site / "_posts/2020-01-03-p2.md"
    post.write_text(post.read_text() + "\nEdited.\n")
    stores.clear()
    build(BuildOptions(source=site))
    (renders,) = [s for s in stores if s.rows_read]
    assert renders.rows_read > POSTS
    # (a row re-rendered by the edit, moved to the table's end, may cost a query of its own)
    assert renders.queries <= renders.rows_read // 4 + 3, (renders.queries, renders.rows_read)
    clean = make_site(tmp_path / "clean")
    post = clean / "_posts/2020-01-03-p2.md"
    post.write_text(post.read_text() + "\nEdited.\n")
    build(BuildOptions(source=clean))
    assert {k: v[0] for k, v in published(site).items()} == {k: v[0] for k, v in published(clean).items()} != cold
