"""What the interleaved checkout benchmarks share (cold_tail.py, generated_pages.py): each run builds
the site once per checkout, in turn, in a new process with the real interpreter, after deleting
SITE/.blog-cache, into a destination folder that does not exist yet (never `rm -rf` of the last one:
on this VM's unjournaled ext4 that slows the next build's inode creation)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PYTHON = os.environ.get("BENCH_PYTHON", "/root/.pyenv/versions/3.11.7/bin/python")


def child(site: Path, checkout: str, code: str, *args: str) -> list[float]:
    """The numbers `code` prints, run in SITE with `checkout` on PYTHONPATH and a cold cache."""
    shutil.rmtree(site / ".blog-cache", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": checkout}
    done = subprocess.run([PYTHON, "-c", code, *args], cwd=site, env=env, capture_output=True, text=True, check=True)
    return [float(x) for x in done.stdout.split()]


def interleaved(
    site: Path, runs: int, checkouts: list[list[str]], code: str, *args: str
) -> tuple[dict[str, list[tuple[float, ...]]], Path]:
    """Per checkout (NAME=CHECKOUT, split), the numbers of each run; and the scratch folder the
    destinations are in (passed to `code` as its first argument, then `args`)."""
    results: dict[str, list[tuple[float, ...]]] = {name: [] for name, _ in checkouts}
    scratch = Path(tempfile.mkdtemp(prefix="interleaved-"))
    for run in range(runs):
        for name, checkout in checkouts:
            results[name].append(tuple(child(site, checkout, code, str(scratch / f"{name}-{run}"), *args)))
            print(name, run, " ".join(f"{x:.3f}" for x in results[name][-1]), flush=True)
    return results, scratch
