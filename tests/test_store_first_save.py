"""A first save of the render store (no `.blog-cache/renders-v4.sqlite` yet) copies the spill file
that holds the build's renders into a temporary file, completes it in one transaction and only
then renames it into place (incremental/tablesave.py): the next build reuses every page, a save
that fails leaves no store at all, and only old temporary copies (killed builds') are removed."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

import generator.incremental.store as store_module
from generator.build import BuildOptions, build
from generator.incremental.store import STATE_FILE
from generator.incremental.tablesave import STALE_COPY
from tests.test_cold_build_counts import make_site


def test_a_first_save_is_whole_and_the_next_build_reuses_every_page(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", posts=8)
    first = build(BuildOptions(source=site, destination=tmp_path / "out"))
    cache = site / ".blog-cache"
    assert not list(cache.glob("*.new"))
    with sqlite3.connect(cache / STATE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA user_version").fetchone() == (store_module.STATE_FORMAT,)
        rendered = {path for (path,) in db.execute("SELECT path FROM renders")}
        assert db.execute("SELECT count(*) FROM prints").fetchone()[0] == 8
    assert {f"2020/0{n % 3 + 1}/0{n % 5 + 1}/post-{n}/index.html" for n in range(8)} <= rendered
    again = build(BuildOptions(source=site, destination=tmp_path / "again"))  # (every file written again)
    assert again.reused >= 8 and again.converted == 0
    assert {o.output_path: o.read() for o in again.outputs} == {o.output_path: o.read() for o in first.outputs}


def test_only_old_temporary_copies_are_removed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", posts=3)
    cache = site / ".blog-cache"
    cache.mkdir()
    old, recent = cache / f"{STATE_FILE}.1.new", cache / f"{STATE_FILE}.2.new"  # (another build's, running)
    old.write_text("killed")
    recent.write_text("running")
    then = time.time() - STALE_COPY - 60
    os.utime(old, (then, then))
    build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert not old.exists() and recent.read_text() == "running"


def test_a_failed_first_save_leaves_no_store(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site", posts=4)

    def failing(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_module, "save_reading", failing)  # (inside the save's one transaction)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert not (site / ".blog-cache" / STATE_FILE).exists()  # not a store without its fingerprints
    monkeypatch.undo()
    again = build(BuildOptions(source=site, destination=tmp_path / "again"))
    assert again.reused == 0 and again.converted == 0  # rendered again; the conversions were saved
    assert (site / ".blog-cache" / STATE_FILE).is_file()
