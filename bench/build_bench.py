"""Build speed and memory of our generator against peer static-site generators, in one run.

Generates the same synthetic corpus (bench/corpus.py) in each tool's native layout, then for each
installed tool measures, as separate processes:
    cold  a build with no output and no caches (ours: no _site/, no .blog-cache/; Hugo: --ignoreCache)
    warm  the same build again, with the previous output and caches in place, nothing changed
    edit  a build after appending a paragraph to one post (the CLI, as a user would run it)
and, for ours, the in-process path `blog serve` uses: `build(options, cache, state=BuildState())`
called repeatedly in one process (first build, an unchanged rebuild, a rebuild after one edit).
Runs go round-robin over the tools (cold run 1 of every tool, then cold run 2, …, then the warm
runs, then the edit runs), so bursts of other load hit all tools alike. Wall time is the median of
--runs runs (a single run for tools whose first cold build takes over --slow seconds); CPU time is
user + system of the child; peak RSS is the largest `ru_maxrss` of any run, read with os.wait4 per child
(the largest single process), and "tree MB" the largest sum of PSS (proportional set size: pages
shared by forked workers counted once) over the child and all its descendants, sampled every 50 ms
from /proc (Linux; "—" elsewhere).
After every edit build the output is searched for the edit, so a tool that skipped it is flagged.

    python bench/build_bench.py                          # 1000 posts, every installed tool
    python bench/build_bench.py --posts 100 --runs 5
    python bench/build_bench.py --tools ours,hugo --posts 5000 --runs 1
    python bench/build_bench.py --tools ours --profile   # + cProfile of our cold and edit builds
    python bench/build_bench.py --posts 1000,4000,10000 --peers-up-to 4000   # one table per size

Peers are looked up where bench/README.md installs them: `hugo` and `jekyll` on PATH (Debian),
Pelican in the venv /tmp/bench-venv, Eleventy in /tmp/bench-peers/node_modules. A missing one is
reported as "not installed" and the rest carry on.
"""

from __future__ import annotations

import argparse
import json
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

import corpus  # noqa: E402  (bench/ is not a package)

PELICAN = Path(os.environ.get("BENCH_PELICAN", "/tmp/bench-venv/bin/pelican"))
ELEVENTY = Path(os.environ.get("BENCH_ELEVENTY", "/tmp/bench-peers/node_modules/@11ty/eleventy/cmd.cjs"))
BUILD_TIMEOUT = 900  # seconds; a build this slow is reported as failed rather than hanging the run


@dataclass(frozen=True)
class Tool:
    name: str
    output: str  # output folder, relative to the site
    caches: tuple[str, ...]  # removed before a cold build, besides the output
    command: Callable[[bool], list[str]]  # cold? -> argv, run with cwd = the site
    version: Callable[[], str | None]  # None: not installed


@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float = float("nan")  # user + system seconds: less sensitive than wall time to other load
    tree_mb: float = float("nan")  # largest sampled PSS sum of the whole process tree


@dataclass
class Result:
    tool: str
    version: str
    cold: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)
    edit: list[Run] = field(default_factory=list)
    html_files: int = 0
    note: str = ""
    cache_mb: str = "—"  # ours: .blog-cache/ after the runs

    def median(self, kind: str) -> float | None:
        runs: list[Run] = getattr(self, kind)
        return statistics.median(r.seconds for r in runs) if runs else None

    def cold_cpu(self) -> float | None:
        return statistics.median(r.cpu for r in self.cold) if self.cold else None

    def peak_mb(self) -> float | None:
        runs = self.cold + self.warm + self.edit
        return max(r.peak_mb for r in runs) if runs else None

    def tree_mb(self) -> float | None:
        sampled = [r.tree_mb for r in self.cold + self.warm + self.edit if r.tree_mb == r.tree_mb]
        return max(sampled) if sampled else None


def first_line(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if done.returncode == 0 and text else None


def ours_version() -> str:
    import generator

    return f"{generator.__version__} (Python {platform.python_version()})"


def hugo_version() -> str | None:
    line = first_line(["hugo", "version"])
    match = re.search(r"v(\d+\.\d+\.\d+\S*?)(?:\s|$)", line or "")
    return match.group(1) if match else line


def jekyll_version() -> str | None:
    line = first_line(["jekyll", "--version"])
    ruby = first_line(["ruby", "-e", "print RUBY_VERSION"])
    return f"{line.split()[-1]} (Ruby {ruby})" if line else None


def pelican_version() -> str | None:
    line = first_line([str(PELICAN), "--version"])
    python = first_line([str(PELICAN.parent / "python"), "-c", "import platform; print(platform.python_version())"])
    return f"{line} (Python {python})" if line else None


def eleventy_version() -> str | None:
    line = first_line(["node", str(ELEVENTY), "--version"]) if ELEVENTY.exists() else None
    node = first_line(["node", "--version"])
    return f"{line} (Node {node})" if line else None


TOOLS: dict[str, Tool] = {
    "ours": Tool(
        "ours",
        "_site",
        (".blog-cache",),
        lambda cold: [sys.executable, "-m", "generator", "build", "--quiet"],
        ours_version,
    ),
    "jekyll": Tool(
        "jekyll",
        "_site",
        (".jekyll-cache", ".jekyll-metadata"),
        lambda cold: ["jekyll", "build", "--quiet"],
        jekyll_version,
    ),
    "hugo": Tool(
        "hugo",
        "public",
        ("resources",),
        lambda cold: ["hugo", "--quiet"] + (["--ignoreCache"] if cold else []),
        hugo_version,
    ),
    "pelican": Tool(
        "pelican",
        "output",
        ("cache", "__pycache__"),
        lambda cold: [str(PELICAN), "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
        pelican_version,
    ),
    "eleventy": Tool(
        "eleventy", "_site", (".cache",), lambda cold: ["node", str(ELEVENTY), "--quiet"], eleventy_version
    ),
    # Ours with `markdown: {engine: cmark}` (issue #19): a copy of ours' corpus site, that one setting added.
    "ours-cmark": Tool(
        "ours (cmark)",
        "_site",
        (".blog-cache",),
        lambda cold: [sys.executable, "-m", "generator", "build", "--quiet"],
        ours_version,
    ),
    # Eleventy with @11ty/eleventy-plugin-syntaxhighlight: highlights code at build time, as ours does.
    "eleventy-hl": Tool(
        "eleventy-hl", "_site", (".cache",), lambda cold: ["node", str(ELEVENTY), "--quiet"], eleventy_version
    ),
}
# The peers that do the work ours does (highlighting at build time): ratios are to the fastest of them.
EQUAL_WORK_PEERS = ("hugo", "eleventy-hl")


def child_env() -> dict[str, str]:
    # Ours must run this checkout's generator, whatever is installed; the others ignore PYTHONPATH
    # except Pelican, whose venv must not see the repository's packages.
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    queue.extend(int(c) for c in f.read().split())
        except OSError:
            continue  # exited meanwhile
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """The largest PSS sum of a process and its descendants, polled (a parent's ru_maxrss is only
    the largest single process: a build's forked workers add to it)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.done = pid, 0, threading.Event()
        self.available = os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")

    def run(self) -> None:
        while self.available and not self.done.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _descendants(self.pid)))

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.peak_kb / 1024 if self.available and self.peak_kb else float("nan")


def run_measured(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run one child to completion; wall time and its peak RSS. os.wait4 gives this child's own
    rusage (with the descendants it waited for), which RUSAGE_CHILDREN cannot: that one is a
    running maximum over every child this process ever had."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        killer = threading.Timer(BUILD_TIMEOUT, process.kill)
        killer.start()
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # reap it ourselves: Popen.wait() discards rusage
        finally:
            killer.cancel()
            tree = sampler.stop()
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    if code != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {code} (killed after {BUILD_TIMEOUT} s if -9):\n{output[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, tree), output


# Old outputs are moved into the trash, not deleted, and the trash is emptied once a corpus size's
# timings are done. On a filesystem without a journal (this VM's ext4) every new inode allocation
# skips, one by one, the inodes freed in the last 60 s (360 s while their table block is dirty): an
# `rm -rf _site` right before a cold build made that build's mkdirs and creates spend 1-2 s in the
# kernel (perf: `recently_deleted` under ext4_mkdir/ext4_create, 37 % of ours' samples, 21 % of
# Hugo's), more or less for each tool by chance of where its folders landed, not by its own work.
TRASH = Path(os.environ.get("BENCH_TRASH", "/tmp/bench-build/.trash"))
_trashed = itertools.count()


def remove(path: Path) -> None:
    """PATH out of the way: renamed into TRASH (same filesystem), deleted only if it cannot be."""
    if not (path.exists() or path.is_symlink()):
        return
    try:
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{os.getpid()}-{next(_trashed)}-{path.name}")
    except OSError:  # (another filesystem: --work elsewhere)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def edit_post(path: Path, marker: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nEdited for the benchmark: {marker} changes this post.\n")


def output_contains(folder: Path, marker: str) -> bool:
    return any(marker in p.read_text("utf-8", errors="replace") for p in folder.rglob("*.html"))


@dataclass
class Subject:
    """One tool under test: its site, the post to edit, and what has been measured so far."""

    tool: Tool
    site: Path
    edit_target: Path
    result: Result
    runs: int
    env: dict[str, str] | None
    failed: bool = False

    def measure(self, kind: str, index: int, slow: float) -> None:
        if self.failed or index >= self.runs:
            return
        tool, result = self.tool, self.result
        try:
            if kind == "cold":
                for name in (tool.output, *tool.caches):
                    remove(self.site / name)
            marker = f"benchedit{index}z{os.getpid()}"
            if kind == "edit":
                edit_post(self.edit_target, marker)
            run, _ = run_measured(tool.command(kind == "cold"), self.site, self.env)
            getattr(result, kind).append(run)
            if kind == "cold":
                result.html_files = sum(1 for _ in (self.site / tool.output).rglob("*.html"))
                if index == 0 and run.seconds > slow and self.runs > 1:
                    self.runs = 1
                    result.note = f"1 run (cold > {slow:g} s)"
            if kind == "edit" and not output_contains(self.site / tool.output, marker):
                result.note = (result.note + "; " if result.note else "") + "EDIT NOT IN OUTPUT"
        except (RuntimeError, OSError) as e:
            self.failed = True
            result.note = f"failed ({kind}): {str(e).splitlines()[0][:200]}"
            print(f"  {tool.name} failed:\n{e}", file=sys.stderr)


def subject(tool: Tool, site: Path, edit_target: Path, runs: int) -> Subject:
    version = tool.version()
    env: dict[str, str] | None = None
    if tool.name.startswith("ours"):
        env = child_env()
    elif tool.name == "pelican":  # its venv must not see the repository's packages
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = Result(tool.name, version or "not installed")
    return Subject(tool, site, edit_target, result, runs, env, failed=version is None)


def cmark_copy(site: Path) -> Path:
    """Ours' corpus site again, with `engine: cmark` in its markdown settings."""
    copy = site.parent / "ours-cmark"
    remove(copy)
    shutil.copytree(site, copy)
    config = copy / "_config.yml"
    text, found = re.subn(r"^markdown:[ \t]*$", "markdown:\n  engine: cmark", config.read_text(), count=1, flags=re.M)
    config.write_text(text if found else text + "\nmarkdown: {engine: cmark}\n")
    return copy


def bench_tools(subjects: list[Subject], runs: int, slow: float) -> None:
    """Round-robin: run i of every tool before run i+1 of any, so a burst of load from other
    processes on the machine lands on all tools alike rather than on whichever ran then.
    Each tool's warm runs follow its own last cold build; each edit run edits once more."""
    for kind in ("cold", "warm", "edit"):
        for index in range(runs):
            for item in subjects:
                if not item.failed and index < item.runs:
                    print(f"  {kind} {index + 1}: {item.tool.name}", file=sys.stderr)
                item.measure(kind, index, slow)


# --- ours in process: the `blog serve` path ------------------------------------------------------


def in_process(site: Path, edit_target: Path, runs: int, profile: bool) -> dict[str, object]:
    """Runs inside a child process (so its peak RSS is its own). Times build() only, not imports."""
    started = time.perf_counter()
    from generator.build import BuildOptions, build
    from generator.render.cache import ConversionCache
    from generator.incremental.state import BuildState

    imports = time.perf_counter() - started
    destination = site / "_site_serve"
    remove(destination)
    options = BuildOptions(source=site, destination=destination)
    cache, state = ConversionCache(), BuildState()  # in memory, as `blog serve` keeps them

    def timed(label: str) -> float:
        began = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(build, options, cache, state=state)
            print(f"\n=== cProfile: ours in-process, {label} ===", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        else:
            result = build(options, cache, state=state)
        seconds = time.perf_counter() - began
        print(f"  in-process {label}: {result.summary()}", file=sys.stderr)
        return seconds

    first = timed("first build")
    unchanged = [timed("unchanged rebuild") for _ in range(runs)]
    edited = []
    for index in range(runs):
        marker = f"benchedit{index}z{os.getpid()}"
        edit_post(edit_target, marker)
        edited.append(timed("rebuild after one edit"))
        if not output_contains(destination, marker):
            raise SystemExit(f"in-process edit {marker} is not in {destination}")
    html = sum(1 for _ in destination.rglob("*.html"))
    return {"imports": imports, "first": first, "unchanged": unchanged, "edited": edited, "html_files": html}


def bench_in_process(site: Path, edit_target: Path, runs: int, profile: bool) -> Result:
    result = Result("ours (serve, in-process)", ours_version())
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--in-process",
        str(site),
        str(edit_target),
        "--runs",
        str(runs),
    ] + (["--profile"] if profile else [])
    try:
        run, output = run_measured(argv, site, child_env())
    except RuntimeError as e:
        result.note = f"failed: {str(e).splitlines()[0][:200]}"
        print(e, file=sys.stderr)
        return result
    data = json.loads(output.strip().splitlines()[-1])
    if profile:
        print("\n".join(output.strip().splitlines()[:-1]), file=sys.stderr)
    result.cold = [Run(data["first"], run.peak_mb, tree_mb=run.tree_mb)]
    result.warm = [Run(s, run.peak_mb, tree_mb=run.tree_mb) for s in data["unchanged"]]
    result.edit = [Run(s, run.peak_mb, tree_mb=run.tree_mb) for s in data["edited"]]
    result.html_files = data["html_files"]
    result.note = f"one process; imports {data['imports']:.2f} s not counted"
    return result


def profile_cli_cold(site: Path) -> None:
    """cProfile of a cold `blog build` (fresh process, no cache), hot spots by own time to stderr."""
    for name in ("_site", ".blog-cache"):
        remove(site / name)
    stats = site.parent / "ours-cold.prof"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "generator", "build", "--quiet"],
        cwd=site,
        env=child_env(),
        check=True,
    )
    import pstats

    print("\n=== cProfile: ours CLI cold build (own time) ===", file=sys.stderr)
    pstats.Stats(str(stats), stream=sys.stderr).sort_stats("tottime").print_stats(30)
    print("\n=== cProfile: ours CLI cold build (cumulative) ===", file=sys.stderr)
    pstats.Stats(str(stats), stream=sys.stderr).sort_stats("cumulative").print_stats(40)


# --- the table --------------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    if value is None or value != value:  # None or NaN: not measured
        return "—"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}"


def cache_mb(site: Path) -> str:
    cache = site / ".blog-cache"
    size = sum(p.stat().st_size for p in cache.iterdir()) if cache.is_dir() else 0
    return f"{size / 1e6:.1f}" if size else "—"


def table(results: list[Result]) -> str:
    ours = next((r.median("cold") for r in results if r.tool == "ours"), None)
    peer_colds = [c for r in results if r.tool in EQUAL_WORK_PEERS and (c := r.median("cold")) is not None]
    peer = min(peer_colds, default=None)  # the fastest equal-work peer's cold build
    header = [
        "tool",
        "version",
        "cold s",
        "warm s",
        "edit s",
        "peak MB",
        "tree MB",
        "cold CPU s",
        "HTML files",
        "cold / ours",
        "cold / peer",
        "warm / peer",
        "edit / peer",
        "cache MB",
        "notes",
    ]
    rows = []
    for r in results:
        cold = r.median("cold")
        ratio = f"{cold / ours:.2f}×" if cold is not None and ours else "—"
        peak = r.peak_mb()
        rows.append(
            [
                r.tool,
                r.version,
                seconds(cold),
                seconds(r.median("warm")),
                seconds(r.median("edit")),
                "—" if peak is None else f"{peak:.0f}",
                "—" if (tree := r.tree_mb()) is None else f"{tree:.0f}",
                seconds(r.cold_cpu()),
                str(r.html_files or "—"),
                ratio,
                *(
                    f"{v / peer:.2f}×" if v is not None and peer else "—"
                    for v in (cold, r.median("warm"), r.median("edit"))
                ),
                r.cache_mb,
                r.note,
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="1000", help="posts per corpus; a comma list gives one table per size")
    parser.add_argument(
        "--peers-up-to", type=int, default=None, help="skip peers on corpora bigger than this (ours always runs)"
    )
    parser.add_argument(
        "--tools",
        default=",".join(corpus.TOOLS),
        help="comma-separated subset of " + ",".join((*corpus.TOOLS, "ours-cmark")),
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--slow", type=float, default=60.0, help="a cold build slower than this gets one run")
    parser.add_argument("--work", type=Path, default=None, help="where the sites go (default /tmp/bench-build/N)")
    parser.add_argument("--no-in-process", action="store_true", help="skip ours' in-process (serve) path")
    parser.add_argument("--profile", action="store_true", help="cProfile ours (cold CLI, in-process edit)")
    parser.add_argument("--in-process", nargs=2, type=Path, metavar=("SITE", "POST"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.in_process:
        data = in_process(args.in_process[0], args.in_process[1], args.runs, args.profile)
        print(json.dumps(data))
        return 0

    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - {*corpus.TOOLS, "ours-cmark"}
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    for posts in (int(n) for n in args.posts.split(",") if n):
        skipped = [t for t in tools if t != "ours" and args.peers_up_to is not None and posts > args.peers_up_to]
        bench_size(args, posts, [t for t in tools if t not in skipped], skipped)
    return 0


def bench_size(args: argparse.Namespace, posts: int, tools: list[str], skipped: list[str]) -> None:
    """One corpus size: every tool round-robin, then one table with ratios from this run only."""
    work = (args.work / str(posts) if args.work else None) or Path("/tmp/bench-build") / str(posts)
    began = time.perf_counter()
    load_before = os.getloadavg()
    print(f"generating {posts} posts for {', '.join(tools)} in {work}", file=sys.stderr)
    tool_sites = list(dict.fromkeys(t.replace("ours-cmark", "ours") for t in tools))
    sites = corpus.generate(work, posts, tool_sites, remove=remove)
    edits = json.loads((work / corpus.MANIFEST).read_text())["edit"]
    if "ours-cmark" in tools:
        sites["ours-cmark"], edits["ours-cmark"] = cmark_copy(sites["ours"]), edits["ours"]
    subjects = [subject(TOOLS[t], sites[t], sites[t] / edits[t], args.runs) for t in tools]
    bench_tools(subjects, args.runs, args.slow)
    results = []
    for item in subjects:
        results.append(item.result)
        if item.tool.name == "ours":
            item.result.cache_mb = cache_mb(item.site)
        if item.tool.name == "ours" and not args.no_in_process:
            print("  ours in-process (serve path)", file=sys.stderr)
            results.append(bench_in_process(item.site, item.edit_target, args.runs, args.profile))
        if item.tool.name == "ours" and args.profile:
            profile_cli_cold(item.site)
    results += [Result(t, "—", note=f"skipped: over --peers-up-to {args.peers_up_to} posts") for t in skipped]
    load_after = os.getloadavg()
    print(
        f"\n{posts} posts, --runs {args.runs}; {os.cpu_count()} CPUs; load average before "
        f"{load_before[0]:.2f}, after {load_after[0]:.2f}; total {time.perf_counter() - began:.0f} s\n",
        flush=True,
    )
    print(table(results), flush=True)
    empty_trash()  # (after the timings: see remove)


if __name__ == "__main__":
    sys.exit(main())
