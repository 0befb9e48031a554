"""A cold `blog build` renders the documents' pages on every core (render/parallel_pages.py): the
site, the messages and `.blog-cache` are the same as when one process renders them all. Builds run
as real `python -m generator build` processes, forced on or off with the benchmark knob; the forks
are counted in-process."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import output_tree
from generator.build import BuildOptions, build
from generator.incremental.store import STATE_FILE
from generator.render import parallel_pages
from generator.render.parallel_pages import FORKS_KNOB

REPO = Path(__file__).resolve().parent.parent
POSTS = 70  # above the automatic minimum (64 documents)

POST_LAYOUT = """---
layout: default
---
<article><h1>{{ page.title }}</h1>{{ content }}
<p>{{ page.tags | join(", ") }} · {{ page.reading_time }} min</p>
{% if page.previous %}<a href="{{ page.previous.url }}">{{ page.previous.title }}</a>{% endif %}
<aside>{{ page.note | markdownify }}</aside></article>
"""
DEFAULT_LAYOUT = """<!doctype html><title>{{ page.title }} | {{ site.title }}</title>
<nav>{% for post in site.posts[:3] %}<a href="{{ post.url }}">{{ post.title }}</a>{% endfor %}</nav>
{{ content }}
"""


def make_site(root: Path, posts: int = POSTS, extra: dict[str, str] | None = None) -> Path:
    """Posts with tags, neighbours, an excerpt, a `markdownify` of front matter in their layout (a
    conversion the renderers ask the cache for, some texts shared) and code, the five oldest in a
    layout of their own (documents go newest first: only the last child renders those); pages,
    one with Jinja in its body."""
    files = {
        "_config.yml": "title: Forks\nurl: https://example.org\n",
        "_layouts/default.html": DEFAULT_LAYOUT,
        "_layouts/post.html": POST_LAYOUT,
        "about.md": "---\ntitle: About\nlayout: default\n---\nAbout *us*.\n",
        "_layouts/old.html": "---\nlayout: post\n---\n<div class=old>{{ content }}</div>\n",
        "list.md": "---\ntitle: List\nlayout: default\njinja: true\n---\n{{ site.posts | length }} posts.\n",
        **(extra or {}),
    }
    for n in range(posts):
        day = f"2021-{n % 12 + 1:02d}-{n % 28 + 1:02d}" if n >= 5 else f"2020-01-0{n + 1}"
        note = f"note *{n % 7}*" if n % 3 else "a **shared** note"
        body = f"Intro {n} with [a link](/about/).\n\nMore text {n}.\n\n```python\ncode_{n % 2} = {n}\n```\n"
        files[f"_posts/{day}-post-{n}.md"] = (
            f'---\ntitle: Post {n}\nlayout: {"post" if n >= 5 else "old"}\ntags: [t{n % 4}, all]\nnote: "{note}"\n---\n{body}'
        )
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def blog_build(site: Path, forks: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), FORKS_KNOB: forks}
    return subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=site, capture_output=True, text=True, env=environment
    )


def cache_rows(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of `.blog-cache`'s SQLite files, sorted (the files' bytes may differ)."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    for path in sorted(folder.glob("*.sqlite")):
        with sqlite3.connect(path) as db:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                rows[f"{path.name}:{table}"] = sorted(db.execute(f"SELECT * FROM {table}"))  # noqa: S608
    return rows


def cold(site: Path, forks: str) -> tuple[subprocess.CompletedProcess[str], dict[str, bytes], dict[str, list]]:
    shutil.rmtree(site / "_site", ignore_errors=True)
    shutil.rmtree(site / ".blog-cache", ignore_errors=True)
    done = blog_build(site, forks)
    built = output_tree(site / "_site") if (site / "_site").exists() else {}
    return done, built, cache_rows(site / ".blog-cache")


def without_time(text: str) -> str:
    return re.sub(r"in \d+\.\d+ s", "in _ s", text)


@pytest.mark.parametrize("forks", ["1", "3"])
def test_forked_build_is_the_same_as_a_serial_one(tmp_path: Path, forks: str) -> None:
    site = make_site(tmp_path / "site")
    serial, serial_site, serial_cache = cold(site, "0")
    assert serial.returncode == 0, serial.stderr
    forked, forked_site, forked_cache = cold(site, forks)
    assert forked.returncode == 0, forked.stderr
    assert forked_site == serial_site
    assert len(serial_site) > POSTS
    assert forked_cache == serial_cache
    assert len(serial_cache[f"{STATE_FILE}:renders"]) > POSTS  # (the renders were kept)
    assert serial_cache[f"{STATE_FILE}:bytecode"], "the layouts' compiled code is kept"
    assert without_time(forked.stdout) == without_time(serial.stdout)
    assert forked.stderr == serial.stderr
    # The next build reuses every render the children made, as after a serial build.
    again = blog_build(site, "0")
    assert again.returncode == 0 and again.stderr == serial.stderr
    assert ", 0 written" in again.stdout


def test_a_layout_error_in_a_childs_slice_is_reported_as_a_serial_build_reports_it(tmp_path: Path) -> None:
    """A layout that fails at runtime for the newest post (the parent's slice), one that does not
    compile for the oldest (the last child's): the same messages, in the same order, exit 1, no `_site`."""
    extra = {
        "_layouts/filtered.html": "<p>{{ page.title | nosuchfilter }}</p>\n",
        "_layouts/including.html": "<p>\n{{ page.title }}\n{% include 'nowhere.html' %}</p>\n",
        "_posts/2023-01-02-bad-new.md": "---\ntitle: New\nlayout: including\n---\nNew.\n",
        "_posts/2019-12-27-bad-old.md": "---\ntitle: Old\nlayout: filtered\n---\nOld.\n",
    }
    site = make_site(tmp_path / "site", extra=extra)
    serial, serial_site, _ = cold(site, "0")
    assert serial.returncode == 1
    assert serial.stderr.splitlines()[:2] == [
        "_layouts/including.html:3: include or layout not found: 'nowhere.html'; put it in _includes/ or _layouts/",
        "_layouts/filtered.html:1: template syntax error: No filter named 'nosuchfilter'.",
    ], serial.stderr
    for forks in ("1", "2"):
        forked, forked_site, _ = cold(site, forks)
        assert forked.returncode == 1
        assert forked.stderr == serial.stderr
        assert forked_site == serial_site == {}
        assert not (site / "_site").exists()


def test_forks_are_counted_and_made_only_for_a_cold_jinja_build_nobody_keeps(tmp_path: Path) -> None:
    """Run in a new interpreter: forking needs a process with one thread, and other tests in this
    one may have left threads behind (then every build here rightly renders serially)."""
    site, small = make_site(tmp_path / "site"), make_site(tmp_path / "small", posts=10)
    probe = f"""
import json, os, shutil
from pathlib import Path
from generator.build import BuildOptions, build
from generator.incremental.state import BuildState
from generator.render import parallel_pages
site, small = Path({str(site)!r}), Path({str(small)!r})
os.environ.pop({FORKS_KNOB!r}, None)
counts = []
result = build(BuildOptions(source=site))  # cold: one child per extra core
counts.append(parallel_pages.forks_made)
posts = len([o for o in result.outputs if o.origin.startswith("_posts/")])
build(BuildOptions(source=site))  # every render is stored: nothing to spread
counts.append(parallel_pages.forks_made)
build(BuildOptions(source=site), state=BuildState())  # a kept state (`blog serve`): serial
counts.append(parallel_pages.forks_made)
os.environ[{FORKS_KNOB!r}] = "2"
shutil.rmtree(site / ".blog-cache")
build(BuildOptions(source=site))
counts.append(parallel_pages.forks_made)
del os.environ[{FORKS_KNOB!r}]
build(BuildOptions(source=small))  # too few documents
counts.append(parallel_pages.forks_made)
print(json.dumps([posts, counts]))
"""
    environment = {key: value for key, value in os.environ.items() if key != FORKS_KNOB}
    environment["PYTHONPATH"] = str(REPO) + os.pathsep + environment.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    posts, counts = json.loads(done.stdout.splitlines()[-1])
    extra_cores = min(os.cpu_count() or 1, parallel_pages.MOST_FORKS + 1) - 1
    assert posts == POSTS
    assert counts == [extra_cores, extra_cores, extra_cores, extra_cores + 2, extra_cores + 2]


def test_a_liquid_site_renders_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORKS_KNOB, "2")
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_layouts").mkdir()
    (site / "_config.yml").write_text("template_engine: liquid\n")
    (site / "_layouts" / "post.html").write_text("<h1>{{ page.title }}</h1>{{ content }}\n")
    for n in range(5):
        (site / "_posts" / f"2021-01-0{n + 1}-p{n}.md").write_text(f"---\ntitle: P{n}\nlayout: post\n---\nText {n}.\n")
    before = parallel_pages.forks_made
    result = build(BuildOptions(source=site))
    assert parallel_pages.forks_made == before
    assert b"<h1>P3</h1>" in (result.destination / "2021/01/04/p3.html").read_bytes()


def test_generated_pages_rendered_meanwhile_report_as_a_serial_build(tmp_path: Path) -> None:
    """The parent renders the generated pages while its children render documents (build.py's
    EarlyPages): a failing archive page is reported as a serial build reports it, alone, and not
    at all when a document in a child's slice fails too (a serial build stops before it)."""
    archive = {"_layouts/archive.html": "---\nlayout: default\n---\n{{ page.title | nosuchfilter }}\n"}
    site = make_site(tmp_path / "site", extra=archive)
    serial, _, _ = cold(site, "0")
    assert serial.returncode == 1
    assert serial.stderr.startswith("_layouts/archive.html:"), serial.stderr
    forked, forked_site, _ = cold(site, "1")
    assert (forked.returncode, forked.stderr, forked_site) == (1, serial.stderr, {})
    broken_old_post = {**archive, "_layouts/old.html": "<p>{{ page.title | nosuchfilter }}</p>\n"}
    site = make_site(tmp_path / "both", extra=broken_old_post)
    serial, _, _ = cold(site, "0")
    assert serial.returncode == 1 and "archive.html" not in serial.stderr, serial.stderr
    assert serial.stderr.startswith("_layouts/old.html:1:"), serial.stderr
    for forks in ("1", "3"):
        forked, forked_site, _ = cold(site, forks)
        assert (forked.returncode, forked.stderr, forked_site) == (1, serial.stderr, {})


def test_the_parents_slice_is_smaller_by_the_generated_pages_share() -> None:
    documents = list(range(1000))
    slices = parallel_pages._slices(documents, 1, meanwhile=True)  # type: ignore[arg-type]
    share = parallel_pages.MEANWHILE_SHARE
    assert [len(part) for part in slices] == [round(500 * (1 - share)), 1000 - round(500 * (1 - share))]
    assert [doc for part in slices for doc in part] == documents
    assert [len(part) for part in parallel_pages._slices(documents, 1, meanwhile=False)] == [500, 500]  # type: ignore[arg-type]
    assert [len(part) for part in parallel_pages._slices(documents[:65], 7, meanwhile=True)][0] == 0  # type: ignore[arg-type]
