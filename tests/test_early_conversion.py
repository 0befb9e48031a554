"""A cold `blog build` starts its conversion workers while the site is still loading
(render/early_conversion.py). Counted, never timed: chunks went to the workers before load_site
returned; and compared with a build that converts every text in the parent (PARALLEL_MINIMUM out
of reach): the same pages, messages (their order too), counts and `.blog-cache` rows."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import generator.build as build_module
from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.load.nesting import MAX_NESTING
from generator.render.cache import CACHE_FILE
from generator.render.conversion import PARALLEL_MINIMUM
from generator.render.early_conversion import EarlyConversion

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the conversion workers need two cores")
POSTS = PARALLEL_MINIMUM  # two texts each: the pool starts halfway through loading


def make_site(root: Path, posts: int = POSTS) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Early\npermalink: /:year/:month/:day/:title/\n")
    for n in range(posts):
        words = " ".join(f"word{i}" for i in range(n * 7 % 90 + 5))  # lengths in no order
        body = f"Intro {n}: {words}.\n\n## Part {n}\n\nMath $x_{n}$ and `code {n}`.\n\n```python\nx = {n}\n```\n"
        (root / f"_posts/2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}-post-{n}.md").write_text(
            f"---\ntitle: Post {n}\n---\n{body}"
        )
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cache_rows(site: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(site / ".blog-cache" / CACHE_FILE) as db:
        return db.execute("SELECT * FROM markdown ORDER BY key").fetchall()


def serial_build(site: Path, destination: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A cold build converting every text in the parent, one after the other."""
    with monkeypatch.context() as patched:
        patched.setattr("generator.render.documents.PARALLEL_MINIMUM", 10**9)
        return build(BuildOptions(source=site, destination=destination))


def watching_load(monkeypatch: pytest.MonkeyPatch, pools: list[Any] | None = None) -> list[int]:
    """Chunks the early pool had sent when load_site returned, per build (the pools into `pools`)."""
    sent: list[int] = []
    real = build_module.load_site

    def load_site(*args: Any) -> Any:
        found = real(*args)
        feed = args[4]
        if feed is not None and not isinstance(feed.__self__, EarlyConversion):
            feed = None  # (a rebuild's EditConversion: render/edit_conversion.py, tested on its own)
        sent.append(0 if feed is None else feed.__self__.pool.chunks)
        if pools is not None and feed is not None:
            pools.append(feed.__self__.pool)
        return found

    monkeypatch.setattr(build_module, "load_site", load_site)
    return sent


ALONE = "BLOG_TEST_EARLY_ALONE"  # set in the fresh interpreter below: it must not start another


def test_workers_start_while_loading_and_the_site_is_a_serial_builds(tmp_path: Path, monkeypatch) -> None:
    if threading.active_count() > 1:
        # A thread another test left running: a threaded process never forks early (by design), so
        # this test runs again, alone, in a fresh interpreter, rather than being skipped.
        assert not os.environ.get(ALONE), f"threads running: {[t.name for t in threading.enumerate()]}"
        test = f"{__file__}::test_workers_start_while_loading_and_the_site_is_a_serial_builds"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-cov", test]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, ALONE: "1"}, timeout=300)
        assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
        return
    site = make_site(tmp_path / "site")
    for n in (50, 7):  # math warnings, reported at their lines in the documents' order
        path = next((site / "_posts").glob(f"*-post-{n}.md"))
        path.write_text(path.read_text() + "\nBroken $\\frac{1}{$ math.\n")
    pools: list[Any] = []
    sent = watching_load(monkeypatch, pools)
    early = build(BuildOptions(source=site, destination=tmp_path / "early"))
    assert sent[0] > 0  # chunks went out before the loading ended
    assert not pools[0].started and pools[0].pending == 0 and not pools[0]._known  # no text held after
    early_rows = cache_rows(site)
    (site / ".blog-cache" / CACHE_FILE).unlink()  # cold again
    serial = serial_build(site, tmp_path / "serial", monkeypatch)
    assert sent[1] == 0
    assert tree(tmp_path / "early") == tree(tmp_path / "serial") | {
        ".blog-build.json": (tmp_path / "early/.blog-build.json").read_bytes()
    }
    assert (early.converted, early.cached) == (serial.converted, serial.cached) == (2 * POSTS, 0)
    assert early_rows == cache_rows(site)
    assert [str(w) for w in early.warnings] == [str(w) for w in serial.warnings]
    assert len([w for w in early.warnings if "post-" in str(w)]) == 2


def test_a_warm_build_starts_no_early_workers(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site, destination=tmp_path / "out"))
    sent = watching_load(monkeypatch)
    again = build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert sent == [0] and again.converted == 0


def test_refused_texts_and_warnings_are_reported_as_a_serial_build_reports_them(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site")
    deep = "> " * (MAX_NESTING + 5) + "deep\n"
    for n in (3, 40):  # refused by the workers (too deep): the parent converts them again and says where
        path = next((site / "_posts").glob(f"*-post-{n}.md"))
        path.write_text(path.read_text() + "\n" + deep)
    with pytest.raises(BuildFailed) as early:
        build(BuildOptions(source=site, destination=tmp_path / "early"))
    with pytest.raises(BuildFailed) as serial:
        serial_build(site, tmp_path / "serial", monkeypatch)
    assert early.value.lines() == serial.value.lines()
    assert sum("nesting deeper" in line for line in early.value.lines()) == 2


def test_a_body_a_plugin_replaces_is_converted_as_replaced(tmp_path: Path, monkeypatch) -> None:
    """The early text is of no use then: only wasted work, not counted, not kept in the cache."""
    site = make_site(tmp_path / "site")
    (site / "_plugins").mkdir()
    (site / "_plugins/rewrite.py").write_text(
        "def site_loaded(site):\n"
        "    for post in list(site.posts)[:5]:\n"
        "        site.replace(post, body=post.body + '\\n\\nAdded by a plugin.\\n')\n"
    )
    early = build(BuildOptions(source=site, destination=tmp_path / "early"))
    early_rows = cache_rows(site)
    (site / ".blog-cache" / CACHE_FILE).unlink()
    serial = serial_build(site, tmp_path / "serial", monkeypatch)
    assert any("Added by a plugin." in p.read_text() for p in (tmp_path / "early").rglob("*.html"))
    assert (early.converted, early.cached) == (serial.converted, serial.cached)
    assert early_rows == cache_rows(site)
    assert {k: v for k, v in tree(tmp_path / "early").items() if k != ".blog-build.json"} == {
        k: v for k, v in tree(tmp_path / "serial").items() if k != ".blog-build.json"
    }
