"""CPU milliseconds of converting one post (render_markdown, default engine unless --engine) — what
a serve edit of that post pays for conversion — for two checkouts interleaved: each run is a fresh
process that converts once to warm up, then --repeat times, and prints its median; asserts nothing.

    python bench/convert_one.py /tmp/md/base /work/wt-md _posts/2015-05-21-rnn-effectiveness.md --runs 5"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import statistics, sys, time
from generator.render.markup import render_markdown
text = open(sys.argv[1], encoding="utf-8").read().split("---", 2)[2]
settings = {"engine": sys.argv[2]}
render_markdown(text, settings)
times = []
for _ in range(int(sys.argv[3])):
    began = time.process_time()
    render_markdown(text, settings)
    times.append(time.process_time() - began)
print(statistics.median(times) * 1000)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs=2, type=Path)
    parser.add_argument("post", type=Path)
    parser.add_argument("--engine", default="markdown", help="markdown (default engine) or cmark")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    post = args.post.resolve()
    times: dict[Path, list[float]] = {checkout: [] for checkout in args.checkouts}
    for run in range(args.runs):
        for checkout in args.checkouts:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(post), args.engine, str(args.repeat)],
                env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
                cwd="/",  # (not a checkout: `-c` puts the working folder first on sys.path)
                capture_output=True,
                text=True,
                check=True,
            )
            times[checkout].append(float(done.stdout.strip()))
            print(f"run {run + 1} {checkout}: {times[checkout][-1]:.1f} ms CPU", flush=True)
    print("medians:")
    for checkout, milliseconds in times.items():
        print(f"  {checkout}: {statistics.median(milliseconds):.1f} ms CPU ({args.engine}, {post.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
