"""The tail of a cold `blog build`, interleaved between checkouts (issue #19, session 8).

    python bench/cold_tail.py SITE RUNS NAME=CHECKOUT [NAME=CHECKOUT ...]

Each run deletes SITE/.blog-cache and builds SITE into a destination folder that does not exist
yet (never `rm -rf` of the last one: on this VM's unjournaled ext4 that slows the next build's
inode creation), with each checkout on PYTHONPATH in turn, in a new process with the real
interpreter. Printed per checkout, medians: `write` (write_site), `tail` (write_site's start to
build() returning: the write, the `.blog-cache/` saves, the join) and `total` (process start to
build() returning, imports included)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PYTHON = os.environ.get("BENCH_PYTHON", "/root/.pyenv/versions/3.11.7/bin/python")

# Run in the child: wraps write_site, builds, prints the three figures.
CHILD = """
import sys, time
started = time.perf_counter()
import generator.build as b
from pathlib import Path
marks = {}
real = b.write_site
def write_site(*args, **kwargs):
    marks["write"] = time.perf_counter()
    try:
        return real(*args, **kwargs)
    finally:
        marks["written"] = time.perf_counter()
b.write_site = write_site
b.build(b.BuildOptions(destination=Path(sys.argv[1]), quiet=True, whole_site=False))
end = time.perf_counter()
print(marks["written"] - marks["write"], end - marks["write"], end - started)
"""


def main() -> None:
    site, runs, checkouts = Path(sys.argv[1]), int(sys.argv[2]), [a.split("=", 1) for a in sys.argv[3:]]
    results: dict[str, list[tuple[float, ...]]] = {name: [] for name, _ in checkouts}
    scratch = Path(tempfile.mkdtemp(prefix="cold-tail-"))
    for run in range(runs):
        for name, checkout in checkouts:
            shutil.rmtree(site / ".blog-cache", ignore_errors=True)
            env = {**os.environ, "PYTHONPATH": checkout}
            command = [PYTHON, "-c", CHILD, str(scratch / f"{name}-{run}")]
            out = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True, check=True).stdout
            results[name].append(tuple(float(x) for x in out.split()))
            print(name, run, " ".join(f"{x:.3f}" for x in results[name][-1]), flush=True)
    print(f"{'checkout':<12} {'write':>8} {'tail':>8} {'total':>8}   (medians of {runs}, seconds)")
    for name, rows in results.items():
        write, tail, total = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"{name:<12} {write:8.3f} {tail:8.3f} {total:8.3f}")
    print(f"(destinations left in {scratch})")


if __name__ == "__main__":
    main()
