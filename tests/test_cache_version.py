"""The markdown cache is versioned: a cache another version of blog wrote is removed and rebuilt
with one line saying so, never misread."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    saved = json.loads((tmp_path / ".blog-cache" / CACHE_FILE).read_text())
    assert saved["format"] == CACHE_FORMAT and len(saved["entries"]) >= 1
    assert any("<em>there</em>" in page.read_text() for page in (tmp_path / "_site").rglob("*.html"))
    second = build(tmp_path)
    assert second.returncode == 0 and second.stderr == ""  # said once, not on every build


def test_a_cache_of_another_format_under_the_current_name_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("---\ntitle: Home\n---\nHi\n")
    cache = tmp_path / ".blog-cache" / CACHE_FILE
    cache.parent.mkdir()
    cache.write_text(json.dumps({"format": CACHE_FORMAT + 1, "entries": {"x": 1}}))
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(cache.read_text())["format"] == CACHE_FORMAT
