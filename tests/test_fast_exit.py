"""The quick exit of `blog` / `python -m generator` (commands/process.py, issue #19): the process skips
the interpreter's teardown, and loses nothing by it — buffered output, the exit status, atexit
callbacks, the build cache, a thread still working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def make_site(root: Path, posts: int = 12) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Leave\n")
    for n in range(posts):
        body = f"Post {n}, $x_{n}$.\n\n```python\nx = {n}\n```\n"
        (root / f"_posts/2020-01-{n + 1:02d}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\n{body}")
    return root


def python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=ENV)


def test_a_build_that_exits_quickly_keeps_its_output_and_its_cache(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    cold = python("-m", "generator", "build", cwd=site)  # stdout a pipe: block-buffered until the exit
    assert cold.returncode == 0, cold.stderr
    assert "12 posts" in cold.stdout and "0 from cache" in cold.stdout
    # Everything the cold build cached was committed: the next process converts nothing.
    again = python("-m", "generator", "build", cwd=site)
    assert again.returncode == 0, again.stderr
    assert "(0 converted" in again.stdout and "0 written" in again.stdout
    assert (site / "_site/2020/01/12/p11.html").read_text().count("x = ") == 0  # highlighted: spans
    assert "p11" in (site / "_site/index.html").read_text()


def test_an_error_keeps_its_exit_status_and_message(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "_config.yml").write_text("title: Leave\npaginate: -1\n")
    done = python("-m", "generator", "build", cwd=site)
    assert done.returncode == 1
    assert done.stderr.startswith("_config.yml:2: paginate")


def test_atexit_callbacks_run_and_a_working_thread_is_waited_for(tmp_path: Path) -> None:
    probe = (
        "import atexit, sys, threading, time\n"
        "from generator.commands.process import leave\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "def late():\n    time.sleep(0.2); print('thread finished')\n"
        "if sys.argv[1] == 'thread':\n    threading.Thread(target=late).start()\n"
        "print('buffered', end='')\n"
        "leave(3)\n"
        "print('never')\n"
    )
    quick = python("-c", probe, "none", cwd=tmp_path)
    assert (quick.returncode, quick.stdout) == (3, "bufferedatexit ran\n")
    waited = python("-c", probe, "thread", cwd=tmp_path)
    assert waited.returncode == 3
    assert "thread finished" in waited.stdout and "atexit ran" in waited.stdout and "never" not in waited.stdout


def test_a_build_leaves_no_file_for_the_teardown_to_close(tmp_path: Path) -> None:
    """What the quick exit relies on: a build (cold, then a rebuild after an edit) leaves no file or
    socket open for the interpreter's finalisers to flush and close. Run the slow way, in dev mode,
    where an object finalised unclosed reports a ResourceWarning."""
    site = make_site(tmp_path / "site")
    probe = "from generator.commands.cli import main\nraise SystemExit(main(['build', '--quiet']))\n"
    for _ in range(2):
        done = python("-X", "dev", "-W", "error::ResourceWarning", "-c", probe, cwd=site)
        assert done.returncode == 0 and "ResourceWarning" not in done.stderr, done.stderr
        with (site / "_posts/2020-01-03-p2.md").open("a") as post:
            post.write("\nMore prose.\n")
    leaky = python("-X", "dev", "-c", "open('x', 'w').write('y')", cwd=tmp_path)  # the probe sees a leak
    assert "ResourceWarning" in leaky.stderr


def test_the_process_collects_garbage_less_often_and_not_in_imported_modules(tmp_path: Path) -> None:
    """What `python -m generator` sets up before its imports (commands/process.py): a gen-0
    threshold well above CPython's 700, and the modules' objects frozen out of the collector's scans."""
    site = make_site(tmp_path / "site", 2)
    probe = (
        "import atexit, gc, runpy, sys\n"
        "atexit.register(lambda: print(gc.get_threshold(), gc.get_freeze_count() > 10_000, gc.isenabled()))\n"
        "sys.argv = ['blog', 'build', '--quiet']\n"
        "runpy.run_module('generator', run_name='__main__')\n"
    )
    done = python("-c", probe, cwd=site)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(20000, 20, 20) True True"
