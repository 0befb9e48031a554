"""Wall time of `blog build --quiet` in a new process, no-op and one post edited, for two checkouts
run interleaved (a burst of load on this shared machine then hits both alike). Each checkout builds
its own copy of the corpus. Prints medians; asserts nothing but that every build succeeded and that
the edit reached the output.

    python bench/startup_bench.py --runs 7 BEFORE_REPO:BEFORE_SITE AFTER_REPO:AFTER_SITE

Uses the interpreter running this script (use the real one, not a pyenv shim) with bytecode writing
on and unbuffered output off, as a user's shell has them."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path


CPU: dict[tuple[Path, str], list[float]] = {}


def run(repo: Path, site: Path, kind: str = "warm-up") -> float:
    """Wall seconds of one build; its user+system CPU seconds go to CPU (read with os.wait4)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}
    env["PYTHONPATH"] = str(repo)
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "generator", "build", "--quiet"], cwd=site, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"build failed in {site} with {repo}")
    CPU.setdefault((repo, kind), []).append(usage.ru_utime + usage.ru_stime)
    return elapsed


def edit(site: Path) -> str:
    """Append a line of prose to the middle post; the text the output must then contain."""
    post = sorted((site / "_posts").iterdir())[len(list((site / "_posts").iterdir())) // 2]
    marker = f"edited{random.randrange(10**9)}"
    with post.open("a", encoding="utf-8") as out:
        out.write(f"\n{marker} prose only.\n")
    return marker


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs", nargs="+", help="REPO:SITE")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    pairs = [tuple(Path(p) for p in pair.split(":")) for pair in args.pairs]
    for repo, site in pairs:  # warm: caches filled, bytecode written
        run(repo, site)
        run(repo, site)
    noop: dict[int, list[float]] = {i: [] for i in range(len(pairs))}
    edits: dict[int, list[float]] = {i: [] for i in range(len(pairs))}
    for _ in range(args.runs):
        for i, (repo, site) in enumerate(pairs):
            noop[i].append(run(repo, site, "no-op"))
        for i, (repo, site) in enumerate(pairs):
            marker = edit(site)
            edits[i].append(run(repo, site, "edit"))
            if not any(marker in p.read_text("utf-8") for p in (site / "_site").rglob("index.html")):
                raise SystemExit("EDIT NOT IN OUTPUT")
    print(f"load {os.getloadavg()[0]:.1f}, {args.runs} runs: median wall s (min-max), median CPU s")
    for i, (repo, _site) in enumerate(pairs):
        for name, times in (("no-op", noop[i]), ("edit", edits[i])):
            cpu = statistics.median(CPU[(repo, name)])
            spread = f"({min(times):.3f}-{max(times):.3f})"
            print(f"{str(repo):28} {name:6} {statistics.median(times):.3f} {spread}  CPU {cpu:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
