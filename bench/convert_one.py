"""CPU milliseconds of converting one post (render_markdown, default engine unless --engine) — what
a serve edit of that post pays for conversion — for two checkouts interleaved: each run is a fresh
process that converts once to warm up, then --repeat times, and prints its median; asserts nothing.

    python bench/convert_one.py /tmp/md/base /work/wt-md _posts/2015-05-21-rnn-effectiveness.md --runs 5"""

from __future__ import annotations

import argparse
from pathlib import Path

from interleaved import run_interleaved  # (bench/ is on sys.path when run)

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
    return run_interleaved(
        args.checkouts,
        args.runs,
        CHILD,
        [str(post), args.engine, str(args.repeat)],
        Path("/"),
        "{:.1f} ms CPU",
        f"{args.engine}, {post.name}",
    )


if __name__ == "__main__":
    raise SystemExit(main())
