"""Work the render phase of a cold build no longer repeats (issue #19), counted: a forked renderer
compiles no template its parent compiled before forking, the packaged theme's filters slugify each
tag once, and a child's render records cross to the parent as the store keeps them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from generator.build import BuildOptions, build
from generator.render import filters
from generator.render.parallel_pages import FORKS_KNOB

REPO = Path(__file__).resolve().parent.parent
POSTS = 70  # above the automatic minimum for forking (64 documents)


def themed_site(root: Path, posts: int = POSTS) -> Path:
    """Posts in the packaged theme (post → default, head, header, footer, post-meta, tag-list)."""
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Counted\nurl: https://example.org\n")
    for n in range(posts):
        day = f"2021-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        text = f"---\ntitle: Post {n}\nlayout: post\ntags: [Deep Learning, T{n % 3}]\n---\nText {n}.\n\nMore.\n"
        (root / "_posts" / f"{day}-post-{n}.md").write_text(text)
    return root


def test_a_forked_child_compiles_nothing_its_parent_compiled(tmp_path: Path) -> None:
    """The parent renders its first document before forking: every child inherits the compiled
    layout chain and includes, so the compiled code a child hands back is empty."""
    site = themed_site(tmp_path / "site")
    probe = f"""
import json, os
from pathlib import Path
from generator.build import BuildOptions, build
from generator.render import child_stream, parallel_pages
handed, records = [], []
real = child_stream._frame
def frame(body):
    item = real(body)
    if isinstance(item, child_stream.Totals):
        handed.append(len(item.bytecode))
    else:
        records.extend(r.record._documents is None and bool(r.record._documents_json) for r in item if r.record)
    return item
child_stream._frame = frame
os.environ[{FORKS_KNOB!r}] = "1"
build(BuildOptions(source=Path({str(site)!r})))
print(json.dumps([parallel_pages.forks_made, handed, len(records), all(records)]))
"""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(REPO) + os.pathsep + environment.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    forks, handed, records, as_json = json.loads(done.stdout.splitlines()[-1])
    assert forks == 1
    assert handed == [0], "the child compiled templates again"
    assert records > POSTS // 3 and as_json  # (the child's slice: records sent as the JSON text alone)


def test_each_tag_is_slugified_once_per_process(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real = filters._slugify
    monkeypatch.setattr(filters, "_slugify", lambda text: calls.append(text) or real(text))
    filters.slug_of.cache_clear()
    site = themed_site(tmp_path / "site", posts=12)
    monkeypatch.setenv(FORKS_KNOB, "0")
    result = build(BuildOptions(source=site))
    path = next(o.output_path for o in result.outputs if o.origin == "_posts/2021-01-01-post-0.md")
    page = (result.destination / path).read_text()
    assert 'href="/tags/deep-learning/"' in page
    # Every post page and the tags index link each tag; each distinct tag is slugified once.
    assert sorted(calls) == sorted({"Deep Learning", "T0", "T1", "T2"})


def test_relative_url_is_worked_out_once_per_url(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[object] = []
    real = filters.relative_url
    monkeypatch.setattr(filters, "relative_url", lambda path, base: calls.append(path) or real(path, base))
    relative = filters.make_filters("/blog", "https://example.org", str)["relative_url"]
    assert [relative("/feed.xml") for _ in range(3)] == ["/blog/feed.xml"] * 3
    assert relative(None) == "/blog/"  # (not a string: not remembered, still right)
    assert relative("javascript:alert(1)") == "#"
    assert calls == ["/feed.xml", None, "javascript:alert(1)"]
