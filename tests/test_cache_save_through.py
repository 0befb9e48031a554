"""A spilling conversion cache (`blog build`) saves through its spill file's connection with the store
attached (render/cache.py): the spilled rows are copied inside SQLite. What lands in the store is
exactly what a save row by row wrote: this build's used results, none it pruned, no stale row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from generator.render.cache import CACHE_FILE, ConversionCache
from generator.render.markup import MarkdownResult


def result(text: str) -> MarkdownResult:
    return MarkdownResult(f"<p>{text}</p>", "", 0, (("a warning", 3),) if text == "warned" else ())


def convert(cache: ConversionCache, text: str) -> MarkdownResult:
    return cache.get_or_convert(text, "settings", lambda: result(text))


def stored(folder: Path) -> dict[str, str]:
    with sqlite3.connect(folder / CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return dict(db.execute("SELECT key, html FROM markdown"))


def test_spilled_results_are_saved_without_the_pruned_and_stale(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = ConversionCache.load(folder, spill=True)
    for text in ("old", "kept"):
        convert(first, text)
    first.save()
    assert set(stored(folder).values()) == {"<p>old</p>", "<p>kept</p>"}

    second = ConversionCache.load(folder, spill=True)
    for text in ("kept", "new", "warned", "unused"):
        convert(second, text)
    assert second.misses == 3  # new, warned, unused: spilled; kept: read from the store
    second.reset_stats()  # the next build uses all but "unused" (and "old", stale on disk)
    for text in ("kept", "new", "warned"):
        assert convert(second, text) == result(text)
    second.prune_unused()
    second.save()
    assert sorted(stored(folder).values()) == ["<p>kept</p>", "<p>new</p>", "<p>warned</p>"]
    assert stored(folder)[ConversionCache.key("warned", "settings")] == "<p>warned</p>"

    third = ConversionCache.load(folder, spill=True)  # what was saved reads back whole
    assert convert(third, "warned") == result("warned")
    assert third.hits == 1 and third.misses == 0


def test_a_second_save_of_the_same_cache_reads_from_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = ConversionCache.load(folder, spill=True)
    convert(cache, "one")
    cache.save()
    convert(cache, "two")  # (a new spill file)
    cache.save()
    assert sorted(stored(folder).values()) == ["<p>one</p>", "<p>two</p>"]
    assert convert(cache, "one") == result("one") and cache.misses == 2
