"""No-op and one-post-edit `blog build` in new processes, two checkouts interleaved (issue #19).

    python bench/noop_edit_interleaved.py RUNS POST BASE_CHECKOUT BASE_SITE NEW_CHECKOUT NEW_SITE

Each checkout builds its own copy of a corpus (its `.blog-cache/` is its own). Per run and
checkout: a line is appended to POST (relative to the site), the edit build is timed, then a
no-op build. Prints medians and minima of wall time and of the build process's user+sys CPU.
Use the real interpreter (`/root/.pyenv/versions/3.11.7/bin/python`, not the pyenv shim) and
`python -m compileall -q generator` in each checkout first. Asserts nothing."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed_build(checkout: str, site: str) -> tuple[float, float]:
    """(wall seconds, user+sys CPU seconds) of one `python -m generator build -q`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {"PYTHONPATH": checkout, "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "generator", "build", "-q"], cwd=site, env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str]) -> int:
    runs, post = int(argv[0]), argv[1]
    pairs = {"base": (argv[2], argv[3]), "new": (argv[4], argv[5])}
    results: dict[str, dict[str, list[float]]] = {name: {} for name in pairs}
    for checkout, site in pairs.values():  # warm: both caches current, the OS's file cache too
        timed_build(checkout, site)
        timed_build(checkout, site)
    for run in range(runs):
        for name, (checkout, site) in pairs.items():
            with (Path(site) / post).open("a", encoding="utf-8") as file:
                file.write(f"\nAppended line {run} {time.time()}.\n")
            for kind in ("edit", "noop"):
                wall, cpu = timed_build(checkout, site)
                results[name].setdefault(kind, []).append(wall)
                results[name].setdefault(kind + " cpu", []).append(cpu)
    for name, measured in results.items():
        print(
            f"{name}: "
            + ", ".join(
                f"{kind} median {statistics.median(values):.3f} s (min {min(values):.3f})"
                for kind, values in measured.items()
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
