"""CPU seconds of converting every post of a corpus (what a cold build's conversion workers do:
render_markdown + text_facts), in one process per run, for two checkouts interleaved; prints each
run and the medians, asserts nothing. CPU time (process_time) rather than wall: steadier on a
shared machine, and the work is single-threaded.

    python bench/convert_cpu.py /tmp/cold/base /work/wt-cold --corpus /tmp/cold/ours --engine cmark --runs 5"""

from __future__ import annotations

import argparse
from pathlib import Path

from interleaved import run_interleaved  # (bench/ is on sys.path when run)

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
    return run_interleaved(
        args.checkouts,
        args.runs,
        CHILD,
        [str(args.corpus), args.engine],
        args.corpus,
        "{:.3f} s CPU",
        f"{args.engine}, {args.corpus}",
    )


if __name__ == "__main__":
    raise SystemExit(main())
