"""The tail of a cold `blog build`, interleaved between checkouts (issue #19, session 8).

    python bench/cold_tail.py SITE RUNS NAME=CHECKOUT [NAME=CHECKOUT ...]

Runs as bench/interleave.py says (a cold cache, a new destination, checkouts in turn). Printed per
checkout, medians: `write` (write_site), `tail` (write_site's start to build() returning: the
write, the `.blog-cache/` saves, the join) and `total` (process start to build() returning,
imports included)."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from interleave import interleaved  # (bench/ is the script's folder, first on sys.path)

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
    results, scratch = interleaved(site, runs, checkouts, CHILD)
    print(f"{'checkout':<12} {'write':>8} {'tail':>8} {'total':>8}   (medians of {runs}, seconds)")
    for name, rows in results.items():
        write, tail, total = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"{name:<12} {write:8.3f} {tail:8.3f} {total:8.3f}")
    print(f"(destinations left in {scratch})")


if __name__ == "__main__":
    main()
