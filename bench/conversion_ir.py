"""Conversion work counted in instructions (valgrind's cachegrind, `Ir`), not time: the machine is
shared and noisy, an instruction count is not (session 9, issue #19).

    python bench/conversion_ir.py SITE CHECKOUT [CHECKOUT ...] [--texts 400] [--first 20]

For each checkout (its `generator/` is put first on sys.path) and the posts of SITE (bodies and
their excerpts, as a cold build hands them to its conversion workers), two figures:

- per text: Ir of converting `--texts` texts (render_markdown + the worker's facts) after a
  warm-up, minus the same run converting none: the steady state of a worker;
- a worker's first texts: Ir of a fresh worker's first `--first` texts (`_convert_chunk`), after
  what the parent does before forking (imports; `markdown_engine.warm_up` where it exists), minus
  the same run converting none: the warm-up each forked worker pays; and that pre-fork part.

Needs `valgrind` on PATH; ~1-2 minutes per checkout."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import sys
from pathlib import Path
site, mode, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
from generator.render import markdown_engine
from generator.render.conversion import _convert_chunk
from generator.render.excerpts import first_chunk
texts = []
for post in sorted((site / "_posts").glob("*.md")):
    body = post.read_text(encoding="utf-8").split("---\n", 2)[2]
    texts += [body, first_chunk(body, "\n\n")]
texts = list(dict.fromkeys(texts))
settings = {"engine": "cmark", "toc_depth": "2-3", "heading_anchors": True, "smart_quotes": False, "math": True}
if mode == "steady":
    _convert_chunk((texts[:20], settings))
    if count:
        _convert_chunk((texts[100 : 100 + count], settings))
else:
    if hasattr(markdown_engine, "warm_up"):
        markdown_engine.warm_up(texts[:64], settings)
    if count:
        _convert_chunk((texts[:count], settings))
"""


def instructions(checkout: str, site: str, mode: str, count: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, "-c", CHILD, site, mode, str(count)]
    env = {"PYTHONPATH": checkout, "PATH": "/usr/bin:/bin"}  # (run from /: `-c` puts the current folder first)
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/")
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode or not found:
        raise SystemExit(f"{checkout}: valgrind run failed:\n{run.stderr[-2000:]}")
    return int(found[1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site")
    parser.add_argument("checkouts", nargs="+")
    parser.add_argument("--texts", type=int, default=400)
    parser.add_argument("--first", type=int, default=20)
    args = parser.parse_args()
    header = f"Ir per text (steady, {args.texts} texts) | a worker's first {args.first} texts | pre-fork part"
    print(f"| checkout | {header} |")
    print("|---|---|---|---|")
    for checkout in args.checkouts:
        checkout = str(Path(checkout).resolve())
        steady = instructions(checkout, args.site, "steady", args.texts)
        steady -= instructions(checkout, args.site, "steady", 0)
        prefork = instructions(checkout, args.site, "first", 0)
        first = instructions(checkout, args.site, "first", args.first) - prefork
        print(f"| {checkout} | {steady / args.texts / 1e6:.3f} M | {first / 1e6:.0f} M | {prefork / 1e6:.0f} M |")


if __name__ == "__main__":
    main()
