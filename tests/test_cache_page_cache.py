"""The `.blog-cache/` databases keep SQLite's page cache at its small default during a cold
build's save, one big transaction (issue #19, memory). A pragma run on a new file before its page
size is set leaves the cache sized for SQLite's default pages, and a transaction of ~27 MB then held
~30 MB in memory (4,000 posts: cold peak 115 -> 166 MB). Measured as the growth of the peak RSS
of a fresh interpreter, not timed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROWS, ROW_BYTES = 1000, 27_000  # ~27 MB written in one transaction: ~30 MB held if the cache is wrong
MOST_GROWTH_KB = 10_000  # the default cache is ~2 MB; a page cache sized wrong grows past 25 MB

PROBE = textwrap.dedent(
    """
    import os, resource, sys
    from pathlib import Path
    from generator.incremental import store
    from generator.render import cache_file

    kind, path = sys.argv[1], Path(sys.argv[2])
    db = store._open(path, create=True) if kind == "renders" else cache_file.open_store(path, create=True)
    table, columns = ("renders", "(path, data)") if kind == "renders" else ("markdown", "(key, html)")
    blob = os.urandom({row_bytes} // 2).hex()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with db:
        db.executemany(
            f"INSERT INTO {{table}} {{columns}} VALUES (?, ?)", ((str(n), blob) for n in range({rows}))
        )
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """
).format(rows=ROWS, row_bytes=ROW_BYTES)


@pytest.mark.parametrize("kind", ["renders", "markdown"])
def test_a_new_cache_file_saves_a_big_transaction_in_a_small_page_cache(tmp_path: Path, kind: str) -> None:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, kind, str(tmp_path / f"{kind}.sqlite")],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    grown_kb = int(done.stdout.strip())
    assert grown_kb < MOST_GROWTH_KB, f"the save's peak grew by {grown_kb} KB"
