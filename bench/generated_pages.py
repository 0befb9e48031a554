"""The generated pages (home, archive, tags, feed) of a cold `blog build`, interleaved between
checkouts (issue #19, session 9).

    python bench/generated_pages.py SITE RUNS NAME=CHECKOUT [NAME=CHECKOUT ...]

Runs as bench/interleave.py says (a cold cache, a new destination, checkouts in turn), with the
CLI's collector settings (commands/process.py). Printed per checkout, medians: `gen cpu` and
`gen wall` (the parent's EarlyPages.render: the generated pages, rendered while the forked child
renders documents), `build` (build() wall), and, from one more build per checkout with a kept
BuildState, how many (document, keys) entries the records of all pages name and the length of
their JSON text (what `.blog-cache/` stores for them)."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from interleave import child, interleaved  # (bench/ is the script's folder, first on sys.path)

# Run in the child: times EarlyPages.render and build(), counts the records' entries.
CHILD = """
import sys, time
from generator.commands import process
process.collect_less()
import generator.build as b
from pathlib import Path
from generator.incremental.state import BuildState
from generator.render.cache import ConversionCache
process.imports_done()
real, got = b.EarlyPages.render, {}
def render(self, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return real(self, *args)
    finally:
        got["gen"] = (time.process_time() - cpu, time.perf_counter() - wall)
b.EarlyPages.render = render
options = b.BuildOptions(destination=Path(sys.argv[1]), quiet=True)
if sys.argv[2] == "count":  # (a kept BuildState, to read the records: a build that renders serially)
    state = BuildState()
    b.build(options, cache=ConversionCache(), state=state)
    entries = sum(len(r.documents) for r in state.renders.values())
    print(entries, sum(len(r.documents_json()) for r in state.renders.values()))
else:
    started = time.perf_counter()
    b.build(options)
    print(*got["gen"], time.perf_counter() - started)
"""


def main() -> None:
    site, runs, checkouts = Path(sys.argv[1]), int(sys.argv[2]), [a.split("=", 1) for a in sys.argv[3:]]
    results, scratch = interleaved(site, runs, checkouts, CHILD, "time")
    counts = {name: child(site, path, CHILD, str(scratch / f"{name}-count"), "count") for name, path in checkouts}
    print(f"{'checkout':<12} {'gen cpu':>8} {'gen wall':>9} {'build':>8} {'entries':>9} {'JSON chars':>11}")
    for name, rows in results.items():
        cpu, wall, total = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"{name:<12} {cpu:8.3f} {wall:9.3f} {total:8.3f} {counts[name][0]:9.0f} {counts[name][1]:11.0f}")
    print(f"(medians of {runs}, seconds; destinations left in {scratch})")


if __name__ == "__main__":
    main()
