"""What a no-op build looks at in its destination (write/output.py): every output's bytes and stat
match the manifest, so nothing is written and no folder needs proving inside the destination
(before, one lstat per output folder, ≈ 1,000 at 1,000 posts). An edit proves only the folders
of what it writes. Counted in a real `python -m generator build` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_build_work_counts import make_site

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import atexit, json, os, runpy, sys
site = os.path.join(os.getcwd(), "_site")
counts = {"lstat": 0, "stat": 0}
def counting(name, real):
    def call(path, *args, **kwargs):
        if not isinstance(path, int) and os.fspath(path).startswith(site + os.sep):
            counts[name] += 1
        return real(path, *args, **kwargs)
    return call
os.lstat = counting("lstat", os.lstat)
os.stat = counting("stat", os.stat)
atexit.register(lambda: print(json.dumps(counts)))
sys.argv = ["blog", "build", "--quiet"]
runpy.run_module("generator", run_name="__main__")
"""


def destination_looks(site: Path) -> dict[str, int]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=site, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_noop_proves_no_folder_and_an_edit_only_those_it_writes_to(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", posts=12)
    cold = destination_looks(site)
    assert cold["lstat"] > 0  # (the count sees the guard at work)
    noop = destination_looks(site)
    assert noop["lstat"] <= 1  # (the staging folder looked for, to remove it); 13 before
    post = site / "_posts/2020-01-05-p4.md"
    post.write_text(post.read_text() + "\nEdited.\n")
    edit = destination_looks(site)
    assert 0 < edit["lstat"] <= 5  # 2020/01/05/p4/ (each folder once at most), not every post's
