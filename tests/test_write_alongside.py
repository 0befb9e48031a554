"""A cold `blog build` saves `.blog-cache/` in a thread while the site is written (write/alongside.py):
checked by where each step ran (not by timing), by what a failing save leaves, and by the next
build reusing what the saves wrote."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

import generator.build as build_module
from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.incremental.store import STATE_FILE
from generator.render.cache import CACHE_FILE, ConversionCache
from generator.write.alongside import Alongside
from generator.write.safepath import JOURNAL, MARKER, STAGING
from tests.test_cold_build_counts import make_site


def watch(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The threads write_site, ConversionCache.save and save_renders run in (each still runs)."""
    seen: dict[str, list[str]] = {"write": [], "cache": [], "renders": []}
    write, save_cache, save_renders = build_module.write_site, ConversionCache.save, build_module.save_renders

    def watched(name, real):
        def run(*args, **kwargs):
            seen[name].append(threading.current_thread().name)
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(build_module, "write_site", watched("write", write))
    monkeypatch.setattr(ConversionCache, "save", watched("cache", save_cache))
    monkeypatch.setattr(build_module, "save_renders", watched("renders", save_renders))
    return seen


def test_a_cold_build_saves_its_caches_in_another_thread_while_writing(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site", posts=6)
    seen = watch(monkeypatch)
    before = set(threading.enumerate())
    result = build(BuildOptions(source=site, destination=tmp_path / "out"))
    main = threading.main_thread().name
    assert seen["write"] == [main]
    assert len(seen["cache"]) == len(seen["renders"]) == 1  # once each, each in its own thread
    assert {*seen["cache"], *seen["renders"]} == {"blog-save-0", "blog-save-1"}
    assert set(threading.enumerate()) == before  # joined before build() returned
    assert sys.getswitchinterval() == pytest.approx(0.005)  # (restored)
    assert (site / ".blog-cache" / CACHE_FILE).is_file() and (site / ".blog-cache" / STATE_FILE).is_file()
    # What the thread saved is what the next build finds: nothing converted, nothing written.
    again = build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert (again.converted, again.cached) == (0, result.converted)
    assert again.report is not None and again.report.written == []


def test_a_build_without_writing_saves_in_the_callers_thread(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site", posts=4)
    seen = watch(monkeypatch)
    build(BuildOptions(source=site, destination=tmp_path / "out", write=False))
    assert seen["write"] == []
    assert seen["cache"] == seen["renders"] == [threading.main_thread().name]


def test_a_save_failing_in_its_thread_fails_the_build_and_leaves_whole_caches(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", posts=6)
    blocker = site / ".blog-cache" / STATE_FILE
    blocker.mkdir(parents=True)  # a folder where the render store's file goes: its save fails
    (blocker / "keep").write_text("not a database")
    with pytest.raises(IsADirectoryError):  # (raised in the thread)
        build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert not [p.name for p in blocker.parent.iterdir() if p.name.endswith(".new")]  # (no temporary copy left)
    out = tmp_path / "out"
    # The write was not disturbed: the site is complete, its journal and staging folder gone.
    assert (out / MARKER).is_file() and not (out / JOURNAL).exists() and not (out / STAGING).exists()
    assert (out / "index.html").is_file()
    # The conversion cache, saved before the failing save, is whole: the next build converts nothing.
    with sqlite3.connect(site / ".blog-cache" / CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT count(*) FROM markdown").fetchone()[0]
    assert rows == 12  # six bodies, six excerpts
    (blocker / "keep").unlink()
    blocker.rmdir()
    again = build(BuildOptions(source=site, destination=out))
    assert again.converted == 0 and again.cached == 12
    assert again.report is not None and again.report.written == []


def test_a_refused_write_leaves_the_caches_as_they_were(tmp_path: Path) -> None:
    """The saves run while the site is written but commit only once it is: a write refused at its
    last line of defence (a folder of the destination that is a link out) saves nothing."""
    site = make_site(tmp_path / "site", posts=6)
    out = tmp_path / "out"
    build(BuildOptions(source=site, destination=out))
    cache = site / ".blog-cache"
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    (site / "_posts" / "2020-01-01-post-0.md").write_text("---\ntitle: Post 0\n---\nEdited.\n")
    shutil.rmtree(out / "2020" / "01")
    (tmp_path / "elsewhere").mkdir()
    (out / "2020" / "01").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BuildFailed):
        build(BuildOptions(source=site, destination=out))
    assert not list((tmp_path / "elsewhere").iterdir())
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before  # not one row changed


def test_a_refused_first_write_leaves_no_cache_files(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site", posts=4)

    def refused(*args: object, **kwargs: object) -> None:
        raise BuildFailed([])

    monkeypatch.setattr(build_module, "write_site", refused)  # (the saves are running meanwhile)
    with pytest.raises(BuildFailed):
        build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert not (site / ".blog-cache").exists()  # (made by the saves, removed with what they wrote)


def test_alongside_commits_only_once_the_caller_succeeded() -> None:
    events: list[str] = []

    def work(settled) -> None:  # noqa: ANN001
        events.append("prepared")
        settled()
        events.append("committed")

    def failing(settled) -> None:  # noqa: ANN001
        raise ValueError("from the thread")

    saving = Alongside([work, failing], name="worker")
    with pytest.raises(ValueError, match="from the thread"):
        saving.join()
    assert events == ["prepared", "committed"] and sorted(saving.ran_in) == ["worker-0", "worker-1"]
    saving.join()  # (once: nothing is raised again)
    events.clear()
    abandoned = Alongside([work])
    abandoned.abandon()  # (the work's Abandoned is dropped)
    assert events == ["prepared"]
    inline = Alongside([work], threaded=False)
    assert events == ["prepared"]  # run by join, not before
    inline.join()
    assert events == ["prepared", "prepared", "committed"]
    assert inline.ran_in == [threading.current_thread().name]
    assert sys.getswitchinterval() == pytest.approx(0.005)
