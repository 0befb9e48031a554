"""A no-op build's traced peak memory, compared between two sites that differ in one quantity
(tests/test_noop_memory.py, tests/test_build_memory.py): measured with tracemalloc in a new
interpreter, after cold builds of both made outside the count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import gc, tracemalloc
from pathlib import Path
from generator.build import BuildOptions, build
def traced_peak(site):
    gc.collect()
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    result = build(BuildOptions(source=site))
    assert result.report is not None and not result.report.written, result.report
    return tracemalloc.get_traced_memory()[1] - start
small, big = Path({small!r}), Path({big!r})
build(BuildOptions(source=small)); build(BuildOptions(source=big))  # cold, outside the count
build(BuildOptions(source=small))  # imports and caches of the no-op path, outside the count
tracemalloc.start()
print(traced_peak(big) - traced_peak(small))
"""


def no_op_peak_difference(small: Path, big: Path) -> int:
    """How much more the no-op build of `big` peaks at than the one of `small` (traced bytes)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    probe = PROBE.format(small=str(small), big=str(big))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    return int(done.stdout.split()[-1])
