"""The write path's inode creation alone, as a cold build right after `rm -rf _site` meets it:
`rm -rf` and recreate a site-shaped tree (1,000 files of 20 KB written into a staging folder,
~2,000 folders, each file renamed into its folder) ROUNDS times, the old way (staging folder and
folders made in place) against write/placement.py (staging folder made under a random name below
the +T destination, folders made in it and renamed into place). Prints the parent's system time
of each round; asserts nothing. Run from the repository root:

    python bench/inode_placement.py /tmp/somewhere 20"""

from __future__ import annotations

import os
import resource
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.write import placement  # noqa: E402

PATHS = [f"20{i % 20:02d}/{i % 12:02d}/{i % 28:02d}/post-{i}/index.html" for i in range(1000)]


def system_time() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def one_round(destination: Path, placed: bool) -> float:
    shutil.rmtree(destination, ignore_errors=True)
    began = system_time()
    destination.mkdir()
    staging = placement.make_staging(destination) if placed else destination / ".blog-staging"
    if not placed:
        staging.mkdir()
    for number in range(len(PATHS)):
        fd = os.open(staging / str(number), os.O_WRONLY | os.O_CREAT, 0o666)
        os.write(fd, b"x" * 20000)
        os.close(fd)
    folders = placement.Folders(str(destination), str(staging) if placed else None)
    for number, path in enumerate(PATHS):
        folders.make(path.rpartition("/")[0])
        os.rename(staging / str(number), destination / path)
    os.rmdir(staging)
    return system_time() - began


def main() -> int:
    base, rounds = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10
    base.mkdir(parents=True, exist_ok=True)
    print("| round | before: system s | after: system s |\n|---|---|---|")
    for number in range(rounds):
        before, after = one_round(base / "plain", False), one_round(base / "placed", True)
        print(f"| {number + 1} | {before:.3f} | {after:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
