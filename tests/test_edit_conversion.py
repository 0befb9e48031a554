"""A rebuild in a new process converts an edited post's markdown in a forked child while the site
loads (render/edit_conversion.py). Counted, never timed: one child for an edit, none when no text is
missing; the site, the messages and the fragment memo are those of a build converting in the parent."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from generator.incremental import fragments
from generator.load.nesting import MAX_NESTING

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")
POSTS = 6
REPO = Path(__file__).resolve().parents[1]


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Ahead\npermalink: /:year/:month/:day/:title/\n")
    for n in range(POSTS):
        body = f"Intro {n}.\n\nMath $x_{n}$ and `code {n}`.\n\n```python\nx = {n}\n```\n"
        (root / f"_posts/2020-01-{n + 1:02d}-post-{n}.md").write_text(f"---\ntitle: Post {n}\n---\n{body}")
    return root


def post(site: Path, n: int) -> Path:
    return site / f"_posts/2020-01-{n + 1:02d}-post-{n}.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".blog-build.json"
    }


# A fresh interpreter per build: the child is forked only by a process running one thread, which a
# test process that ran servers or browsers may not be. Prints (children forked, texts converted).
PROBE = """
import json, sys
from pathlib import Path
from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.incremental import fragments
from generator.render import edit_conversion
if sys.argv[3] == "without-child":
    edit_conversion.EditConversion.for_build = classmethod(lambda cls, *args: None)
site = Path(sys.argv[1])
try:
    with fragments.kept_in(site / ".blog-cache"):
        result = build(BuildOptions(source=site, destination=Path(sys.argv[2])))
    print(json.dumps([edit_conversion.children_forked, result.converted, []]))
except BuildFailed as failed:
    print(json.dumps([edit_conversion.children_forked, 0, failed.lines()]))
"""


def rebuild(site: Path, destination: Path, child: bool = True) -> tuple[int, int, list[str]]:
    """(children forked, texts converted, error lines) of one build as `blog build` makes it."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    mode = "with-child" if child else "without-child"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(site), str(destination), mode],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    forks, converted, errors = json.loads(done.stdout.strip().splitlines()[-1])
    return forks, converted, errors


def test_an_edited_post_is_converted_by_one_child_and_built_as_a_cold_build_would(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert rebuild(site, tmp_path / "out")[0] == 0  # (cold: early_conversion.py's business, not this)
    edited = post(site, 2)
    edited.write_text(edited.read_text() + "\nA new paragraph, $y^2$ and more code:\n\n```python\ny = 2\n```\n")
    forks, converted, _ = rebuild(site, tmp_path / "out")
    assert forks == 1
    assert converted == 1  # (the body: the excerpt, its first paragraph, is unchanged)
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns(".blog-cache"))
    rebuild(cold, tmp_path / "cold-out")
    assert tree(tmp_path / "out") == tree(tmp_path / "cold-out")
    assert 'y</span> <span class="o">=</span>' in (tmp_path / "out/2020/01/03/post-2/index.html").read_text()


def test_no_child_when_no_text_is_missing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    rebuild(site, tmp_path / "out")
    os.utime(post(site, 1), (1, 1))  # a new stat, the same bytes
    assert rebuild(site, tmp_path / "out")[0] == 0
    retitled = post(site, 4)
    retitled.write_text(retitled.read_text().replace("title: Post 4", "title: Post four"))  # parsed again
    forks, converted, _ = rebuild(site, tmp_path / "out")
    assert forks == 0 and converted == 0
    assert "Post four" in (tmp_path / "out/index.html").read_text()


def test_a_post_with_jinja_is_left_to_the_renderer(tmp_path: Path) -> None:
    """Its text to convert exists only after Jinja: nothing to send ahead."""
    site = make_site(tmp_path / "site")
    rebuild(site, tmp_path / "out")
    jinja = post(site, 0)
    jinja.write_text("---\ntitle: Post 0\nrender_with_jinja: true\n---\nIn {{ site.title }}.\n")
    forks, converted, _ = rebuild(site, tmp_path / "out")
    assert forks == 0 and converted >= 1
    assert "In Ahead." in (tmp_path / "out/2020/01/01/post-0/index.html").read_text()


def test_a_refused_edit_is_reported_at_its_line_as_without_the_child(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    rebuild(site, tmp_path / "out")
    deep = post(site, 3)
    deep.write_text(deep.read_text() + "\n" + "> " * (MAX_NESTING + 5) + "deep\n")
    forks, _, ahead = rebuild(site, tmp_path / "out")
    _, _, here = rebuild(site, tmp_path / "out", child=False)
    assert forks == 1 and ahead == here
    assert any("post-3.md:" in line and "nesting deeper" in line for line in ahead)


def test_what_the_child_highlighted_is_memoised_for_the_next_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    rebuild(site, tmp_path / "out")
    memo = site / ".blog-cache" / fragments.FILE_NAME

    def rows() -> int:
        with sqlite3.connect(memo) as db:
            return db.execute("SELECT count(*) FROM fragments").fetchone()[0]

    before = rows()
    edited = post(site, 5)
    edited.write_text(edited.read_text() + "\n```python\nz = 'new'\n```\n\n$$z^3$$\n")
    assert rebuild(site, tmp_path / "out")[0] == 1
    assert rows() == before + 2  # the new code block and the new formula
