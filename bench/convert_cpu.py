"""CPU seconds of converting every post of a corpus (what a cold build's conversion workers do:
render_markdown + text_facts), in one process per run, for two checkouts interleaved; prints each
run and the medians, asserts nothing. CPU time (process_time) rather than wall: steadier on a
shared machine, and the work is single-threaded.

    python bench/convert_cpu.py /tmp/cold/base /work/wt-cold --corpus /tmp/cold/ours --engine cmark --runs 5"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import glob, sys, time
from generator.render.markup import render_markdown
from generator.render.reading import text_facts
texts = [open(f, encoding="utf-8").read().split("---", 2)[2] for f in sorted(glob.glob(sys.argv[1] + "/_posts/*.md"))]
settings = {"engine": sys.argv[2]}
began = time.process_time()
for text in texts:
    text_facts(render_markdown(text, settings).html)
print(time.process_time() - began)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs=2, type=Path)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/bench-build/1000/ours"))
    parser.add_argument("--engine", default="markdown", help="markdown (default engine) or cmark")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: dict[Path, list[float]] = {checkout: [] for checkout in args.checkouts}
    for run in range(args.runs):
        for checkout in args.checkouts:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.corpus), args.engine],
                env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
                cwd=args.corpus,  # (not a checkout: `-c` puts the working folder first on sys.path)
                capture_output=True,
                text=True,
                check=True,
            )
            times[checkout].append(float(done.stdout.strip()))
            print(f"run {run + 1} {checkout}: {times[checkout][-1]:.3f} s CPU", flush=True)
    print("medians:")
    for checkout, seconds in times.items():
        print(f"  {checkout}: {statistics.median(seconds):.3f} s CPU ({args.engine}, {args.corpus})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
