"""Kill `blog build` at random moments and check the site on disk is never left half-written.

An old site is built, the sources are changed (edits, deletions, additions, a new title that
changes every page), and `python -m generator build` is run over a copy of the old site and
SIGKILLed at a seeded random moment: mostly during its write phase (after the staging folder
appears), sometimes anywhere. After each kill the recovery every build, serve and check run first
(journal.recover) must leave exactly the old or the new complete site, with a marker that matches
the disk; the next build must then give exactly the new site.

    python bench/kill_test.py                    # 50 kills on a 1,000-post site: prints a table
    python bench/kill_test.py --kills 12 --posts 300

tests/test_crash_safety.py runs the small version of the same code."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import BuildOptions, build  # noqa: E402
from generator.render.cache import ConversionCache  # noqa: E402
from generator.write.journal import recover  # noqa: E402
from generator.write.safepath import JOURNAL, MARKER, STAGING  # noqa: E402

TAGS = ["python", "ml", "notes", "math", "web", "tools"]


def write_sources(root: Path, posts: int, variant: str) -> Path:
    """`old`: posts 0..n-1; `new`: every 7th edited, every 11th gone, n/10 added, a tag renamed,
    another site title (every page changes, so the write phase has work to be killed in)."""
    title = "Old blog" if variant == "old" else "New blog"
    files = {"_config.yml": f"title: {title}\npaginate: 10\n"}
    indices = list(range(posts))
    if variant == "new":
        indices = [i for i in indices if i % 11 != 5] + list(range(posts, posts + posts // 10))
    for i in indices:
        tags = [TAGS[i % len(TAGS)], TAGS[(i * 3) % len(TAGS)]]
        if variant == "new":
            tags = ["renamed" if tag == "web" else tag for tag in tags]
        edited = " Edited." if variant == "new" and i % 7 == 0 else ""
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        files[f"_posts/{2000 + i // 336:04d}-{month:02d}-{day:02d}-post-{i}.md"] = (
            f"---\ntitle: Post {i}\ntags: [{', '.join(tags)}]\n---\n"
            f"Paragraph of post {i} with *emphasis* and `code`.{edited}\n\n## A section\n\nMore text {i}.\n"
        )
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def tree(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file, the marker aside (it holds mtimes)."""
    result = {}
    for current, _, names in os.walk(folder):
        for name in names:
            path = Path(current, name)
            relative = path.relative_to(folder).as_posix()
            if relative != MARKER:
                result[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def marker_matches_disk(folder: Path) -> bool:
    files = json.loads((folder / MARKER).read_text("utf-8"))["files"]
    on_disk = tree(folder)
    return set(files) == set(on_disk) and all((folder / p).stat().st_size == files[p][1] for p in files)


def quiet_build(source: Path, destination: Path) -> None:
    with contextlib.redirect_stderr(io.StringIO()):
        build(BuildOptions(source=source, destination=destination), cache=ConversionCache())


@dataclass
class World:
    work: Path
    new_source: Path
    old_built: Path
    old: dict[str, str]
    new: dict[str, str]
    total: float = 0.0  # seconds of one whole build from the old site
    window: float = 0.0  # seconds the staging folder exists: the write phase


def prepare(work: Path, posts: int) -> World:
    old_source = write_sources(work / "old-src", posts, "old")
    new_source = write_sources(work / "new-src", posts, "new")
    quiet_build(old_source, work / "old-built")
    quiet_build(new_source, work / "new-ref")
    world = World(work, new_source, work / "old-built", tree(work / "old-built"), tree(work / "new-ref"))
    assert world.old != world.new
    # Warm the new source's cache and measure one whole build, as the killed ones will run.
    destination = fresh_destination(world)
    started = time.perf_counter()
    process = spawn(world, destination)
    staged_at = wait_for_staging(process, destination)
    while process.poll() is None and (destination / STAGING).exists():
        time.sleep(0.0003)
    world.window = time.perf_counter() - staged_at  # the write phase alone (not the cache saving after it)
    process.wait()
    world.total = time.perf_counter() - started
    assert tree(destination) == world.new
    return world


def fresh_destination(world: World) -> Path:
    destination = world.work / "dest"
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(world.old_built, destination)  # copy2: mtimes kept, so the manifest still holds
    return destination


def spawn(world: World, destination: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "generator", "build", "--quiet"]
    command += ["--source", str(world.new_source), "--destination", str(destination)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_staging(process: subprocess.Popen[bytes], destination: Path) -> float:
    while process.poll() is None and not (destination / STAGING).exists():
        time.sleep(0.0003)
    return time.perf_counter()


@dataclass
class Kill:
    phase: str  # where the kill landed: "before writing", "staging", "committed", "after writing"
    after_recovery: str  # "old" or "new"
    ok: bool


def kill_once(world: World, rng: random.Random, rebuild: bool = True) -> Kill:
    destination = fresh_destination(world)
    process = spawn(world, destination)
    if rng.random() < 0.75:
        wait_for_staging(process, destination)
        time.sleep(rng.uniform(0, world.window * 1.2))
    else:
        time.sleep(rng.uniform(0, world.total))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    if (destination / JOURNAL).exists():
        phase = "committed"  # killed between the journal's commit and its completion
    elif (destination / STAGING).exists():
        phase = "staging"  # killed while writing new files under temporary names
    else:
        phase = "before writing" if tree(destination) == world.old else "after writing"
    with contextlib.redirect_stderr(io.StringIO()):
        recover(destination)
    now = tree(destination)
    state = "old" if now == world.old else "new" if now == world.new else "MIXED"
    ok = state != "MIXED" and marker_matches_disk(destination)
    ok = ok and not (destination / STAGING).exists() and not (destination / JOURNAL).exists()
    if rebuild:
        quiet_build(world.new_source, destination)
        ok = ok and tree(destination) == world.new and marker_matches_disk(destination)
    return Kill(phase, state, ok)


def run(work: Path, posts: int, kills: int, seed: int, rebuild_every: int = 1) -> list[Kill]:
    """`rebuild_every`: check that the next build gives the new site after every n-th kill only
    (the recovered site is checked after every kill; a build costs a second per kill)."""
    world = prepare(work, posts)
    rng = random.Random(seed)
    return [kill_once(world, rng, rebuild=n % rebuild_every == 0) for n in range(kills)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kill-test"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    started = time.perf_counter()
    results = run(args.work, args.posts, args.kills, args.seed)
    print(f"{args.kills} SIGKILLs of `blog build` on a {args.posts}-post site (seed {args.seed})")
    print(f"{'killed during':<16} {'kills':>5} {'old after':>9} {'new after':>9} {'broken':>6}")
    for phase in ("before writing", "staging", "committed", "after writing"):
        group = [k for k in results if k.phase == phase]
        old = sum(k.after_recovery == "old" for k in group)
        new = sum(k.after_recovery == "new" for k in group)
        print(f"{phase:<16} {len(group):>5} {old:>9} {new:>9} {sum(not k.ok for k in group):>6}")
    print(f"total {len(results)} kills, {sum(not k.ok for k in results)} broken, {time.perf_counter() - started:.0f} s")
    return 1 if any(not k.ok for k in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
