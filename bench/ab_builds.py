"""Two checkouts of this generator, interleaved on one corpus: cold, no-op and one-edit builds, each
`python -m generator build -q` in a new process. Prints one line per build and the medians (wall
time, and CPU time: user + system of the build's process tree, steadier on a loaded machine); asserts
nothing. For before/after comparisons on a shared machine, where only interleaved runs compare.

    python bench/ab_builds.py --runs 5 /tmp/ab/old /tmp/ab/new --corpus /tmp/bench-build/1000/ours

Each checkout gets its own copy of the corpus (under --work). Bytecode is compiled first
(`compileall`): with PYTHONDONTWRITEBYTECODE set, a checkout without it compiles every changed module
again in every process, which is not what an installed `blog` does."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


KINDS = ("cold", "no-op", "edit")


def timed_build(checkout: Path, site: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one build; CPU from os.wait4, so it covers that build's children only."""
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "-q"],
        cwd=site,
        env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return time.perf_counter() - began, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs=2, type=Path, help="two source trees (e.g. git worktrees)")
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/bench-build/1000/ours"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/ab-builds"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sites: dict[Path, Path] = {}
    for number, checkout in enumerate(args.checkouts):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "generator")], check=True)
        site = args.work / f"site-{number}"
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(args.corpus, site, ignore=shutil.ignore_patterns("_site", ".blog-cache", "_site_serve"))
        sites[checkout] = site
    times: dict[tuple[Path, str], list[tuple[float, float]]] = {}
    for run in range(args.runs):
        for checkout, site in sites.items():
            shutil.rmtree(site / "_site", ignore_errors=True)
            shutil.rmtree(site / ".blog-cache", ignore_errors=True)
            cold = timed_build(checkout, site)
            noop = timed_build(checkout, site)
            post = sorted((site / "_posts").iterdir())[len(list((site / "_posts").iterdir())) // 2]
            with post.open("a") as f:
                f.write(f"\nAn edit, run {run}.\n")
            edit = timed_build(checkout, site)
            for kind, seconds in zip(KINDS, (cold, noop, edit), strict=True):
                times.setdefault((checkout, kind), []).append(seconds)
            measured = zip(KINDS, (cold, noop, edit), strict=True)
            shown = ", ".join(f"{kind} {t[0]:.3f} s ({t[1]:.3f} CPU)" for kind, t in measured)
            print(f"{checkout}: {shown}", flush=True)
    print("medians:")
    for checkout in sites:
        walls = {kind: statistics.median(t[0] for t in times[(checkout, kind)]) for kind in KINDS}
        cpus = {kind: statistics.median(t[1] for t in times[(checkout, kind)]) for kind in KINDS}
        print(f"  {checkout}: " + ", ".join(f"{kind} {walls[kind]:.3f} s ({cpus[kind]:.3f} CPU)" for kind in KINDS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
