"""Cold builds with the documents' pages rendered in one process or forked (render/parallel_pages.py),
interleaved: the render phase's wall time (`render_documents`, timed in the build's process) and
CPU time (the parent's; its forked children's), the whole build's wall time, and the CPU time of
the parent and of all its children (the conversion workers too) over the build. Prints one line
per build and the medians; asserts nothing.

    python bench/parallel_pages_bench.py --runs 5 --corpus /tmp/bench-build/1000/ours --work /tmp/par/pp

Each build is `build()` in a new interpreter with this checkout on the path, after
`rm -rf _site .blog-cache` of its own copy of the corpus."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import json, resource, sys, time
from pathlib import Path
import generator.build as b
spent = []
real = b.render_documents
def children():
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime
def timed(*args, **kwargs):
    began, cpu, kids = time.perf_counter(), time.process_time(), children()
    try:
        return real(*args, **kwargs)
    finally:
        spent.append((time.perf_counter() - began, time.process_time() - cpu, children() - kids))
b.render_documents = timed
began = time.perf_counter()
b.build(b.BuildOptions(source=Path(sys.argv[1])))
whole = time.perf_counter() - began
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
render, render_cpu, render_kids_cpu = spent[0]
print(json.dumps({"render": render, "render_cpu": render_cpu, "render_kids_cpu": render_kids_cpu, "build": whole,
                  "parent_cpu": me.ru_utime + me.ru_stime, "children_cpu": kids.ru_utime + kids.ru_stime}))
"""


def one(site: Path, forks: str) -> dict[str, float]:
    shutil.rmtree(site / "_site", ignore_errors=True)
    shutil.rmtree(site / ".blog-cache", ignore_errors=True)
    environment = {**os.environ, "PYTHONPATH": str(REPO), "BLOG_RENDER_FORKS": forks}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(site)], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/bench-build/1000/ours"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/parallel-pages"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    site = args.work / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(args.corpus, site, ignore=shutil.ignore_patterns("_site", ".blog-cache", "_site_serve"))
    kinds = {"serial": "0", "forked": ""}  # "": as `blog build` decides (one child per extra core)
    results: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for _ in range(args.runs):
        for kind, forks in kinds.items():
            figures = one(site, forks)
            results[kind].append(figures)
            print(f"{kind:7} " + ", ".join(f"{k} {v:.3f} s" for k, v in figures.items()), flush=True)
    print("medians:")
    for kind, runs in results.items():
        print(f"  {kind:7} " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):.3f} s" for k in runs[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
