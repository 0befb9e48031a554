"""The fragment memo (incremental/fragments.py, issue #19): `blog build` keeps highlighted code
blocks and converted formulas in .blog-cache, so a new process rebuilding a post whose prose was
edited neither imports latex2mathml nor builds a Pygments lexer — and writes what a cold build
writes, byte for byte."""

from __future__ import annotations

import filecmp
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from generator.incremental import fragments

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(REPO))
CONVERTERS = ("latex2mathml", "pygments.lexers.python", "pygments.lexers.javascript")
# What `python -m generator build` runs; it leaves with os._exit, after the atexit callbacks.
PROBE = (
    "import atexit, runpy, sys\n"
    f"atexit.register(lambda: print(sorted(m for m in sys.modules if m in {CONVERTERS!r})))\n"
    "sys.argv = ['blog', 'build', '--quiet']\n"
    "runpy.run_module('generator', run_name='__main__')\n"
)


def post(n: int, prose: str = "", code: str = "x = {n}") -> str:
    return (
        f"---\ntitle: P{n}\n---\nIntro {n} with $a_{n} + b$ inline.\n\n$$\\sum_i x_{{{n}}}$$\n\n"
        f"```python\n{code.format(n=n)}\n```\n\n```javascript\nlet y = {n};\n```\n\n{prose}Outro.\n"
    )


def make_site(root: Path, posts: int) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Fragments\n")
    for n in range(posts):
        (root / f"_posts/2020-01-{n % 28 + 1:02d}-p{n}.md").write_text(post(n))
    return root


def build(site: Path) -> list[str]:
    """Converters the build imported."""
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=site, capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr
    return eval(done.stdout.strip().splitlines()[-1])


def same_output(site: Path, tmp_path: Path) -> None:
    """The site's output equals a cold build of its sources (no cache at all)."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("_site", ".blog-cache"))
    build(cold)
    compared = filecmp.dircmp(site / "_site", cold / "_site", ignore=[".blog-build.json"])
    pending = [compared]
    while pending:
        level = pending.pop()
        assert not level.left_only and not level.right_only and not level.diff_files, level.report()
        _, mismatch, errors = filecmp.cmpfiles(level.left, level.right, level.common_files, shallow=False)
        assert not mismatch and not errors, mismatch
        pending.extend(level.subdirs.values())


def stored(site: Path) -> int:
    with closing(sqlite3.connect(site / ".blog-cache" / fragments.FILE_NAME)) as db:
        # Code blocks and formulas only (parsed YAML and the highlight stylesheet have `kind:` keys).
        return db.execute("SELECT count(*) FROM fragments WHERE key NOT LIKE '%:%'").fetchone()[0]


def test_a_prose_edit_converts_no_code_block_and_no_formula_again(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    assert build(site) == sorted(CONVERTERS)  # cold: everything converted
    # 3 posts x (python block, javascript block, inline and display formula)
    assert stored(site) == 12
    edited = site / "_posts/2020-01-02-p1.md"
    edited.write_text(post(1, prose="A new paragraph of prose.\n\n"))
    assert build(site) == []
    assert "A new paragraph of prose." in (site / "_site/2020/01/02/p1.html").read_text()
    same_output(site, tmp_path)
    # A changed code block is highlighted, the rest still from the memo: by a child forked while the
    # site loads (render/edit_conversion.py), so this process imports no converter even then.
    edited.write_text(post(1, code="def f():\n    return {n}"))
    assert build(site) == []
    assert stored(site) == 13  # (the child memoised the new block)
    same_output(site, tmp_path)


def test_the_worker_processes_of_a_cold_build_fill_the_memo(tmp_path: Path) -> None:
    """Enough posts for the conversion to run in forked workers: each writes what it converted
    as it exits, so the first edit after a cold build already finds every fragment."""
    site = make_site(tmp_path / "site", 70)
    build(site)
    assert sorted(p.name for p in (site / ".blog-cache").iterdir() if "fragments" in p.name) == [fragments.FILE_NAME]
    assert stored(site) == 70 * 4
    (site / "_posts/2020-01-05-p4.md").write_text(post(4, prose="Edited.\n\n"))
    assert build(site) == []
    same_output(site, tmp_path)


def test_a_cache_that_cannot_be_written_only_costs_the_conversions(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 2)
    (site / ".blog-cache").mkdir()
    (site / ".blog-cache" / fragments.FILE_NAME).mkdir()  # not a database: unusable
    assert build(site) == sorted(CONVERTERS)
    same_output(site, tmp_path)


def test_keys_tell_apart_everything_the_output_depends_on() -> None:
    keys = {
        fragments.key("formula", "x", False, "3.77", 1, "tex-1"),
        fragments.key("formula", "x", True, "3.77", 1, "tex-1"),
        fragments.key("formula", "x", False, "3.78", 1, "tex-1"),
        fragments.key("formula", "x", False, "3.77", 2, "tex-1"),
        fragments.key("code", "x", False, "3.77", 1, "tex-1"),
    }
    assert len(keys) == 5
