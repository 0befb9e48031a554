"""Incremental rebuilds with a kept BuildState: only what depends on a change is re-rendered, and
what is re-rendered is exactly what a clean build produces."""

from __future__ import annotations

from pathlib import Path

from generator.build import BuildOptions, build
from generator.render.cache import ConversionCache
from generator.incremental.state import BuildState

SITE = {
    "_config.yml": "title: T\npermalink: pretty\n",
    "_layouts/default.html": '<html><body>{% include "nav.html" %}{{ content }}</body></html>\n',
    "_layouts/post.html": "---\nlayout: default\n---\n<h1>{{ page.title }}</h1>{{ content }}"
    "{% if page.previous %}<a>{{ page.previous.title }}</a>{% endif %}\n",
    "_layouts/home.html": "---\nlayout: default\n---\n{% for p in paginator.posts %}<li>{{ p.title }}</li>{% endfor %}\n",
    "_includes/nav.html": "<nav>v1</nav>",
    "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nFirst paragraph.\n\nBody of A.\n",
    "_posts/2020-01-02-b.md": "---\ntitle: B\n---\nFirst paragraph.\n\nBody of B.\n",
    "_posts/2020-01-03-c.md": "---\ntitle: C\n---\nFirst paragraph.\n\nBody of C.\n",
}


class Session:
    def __init__(self, source: Path) -> None:
        self.source, self.cache, self.state = source, ConversionCache(), BuildState()

    def build(self):
        return build(BuildOptions(source=self.source), cache=self.cache, state=self.state)


def clean_tree(source: Path, tmp: Path) -> dict[str, bytes]:
    out = build(BuildOptions(source=source, destination=tmp / "clean")).destination
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != ".blog-build.json"
    }


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".blog-build.json"
    }


def test_body_edit_rerenders_only_that_post(make_site, tmp_path: Path) -> None:
    source = make_site(SITE)
    session = Session(source)
    first = session.build()
    post = source / "_posts" / "2020-01-02-b.md"
    post.write_text(post.read_text().replace("Body of B.", "Body of B, edited."))
    second = session.build()
    assert second.report.written == ["2020/01/02/b/index.html", "feed.xml"]  # the feed carries full content
    assert second.reused >= first.reused + len(first.outputs) - 10
    assert tree(second.destination) == clean_tree(source, tmp_path)


def test_title_edit_rerenders_neighbours_home_and_tags(make_site, tmp_path: Path) -> None:
    source = make_site(SITE)
    session = Session(source)
    session.build()
    post = source / "_posts" / "2020-01-02-b.md"
    post.write_text(post.read_text().replace("title: B", "title: Bee"))
    result = session.build()
    assert {"2020/01/02/b/index.html", "2020/01/03/c/index.html", "index.html"} <= set(result.report.written)
    assert "2020/01/01/a/index.html" not in result.report.written  # A's page shows no neighbour title of B
    assert tree(result.destination) == clean_tree(source, tmp_path)


def test_include_edit_rerenders_every_page_using_it(make_site, tmp_path: Path) -> None:
    source = make_site(SITE)
    session = Session(source)
    session.build()
    (source / "_includes" / "nav.html").write_text("<nav>v2</nav>")
    result = session.build()
    assert all(
        "<nav>v2</nav>" in (result.destination / p).read_text()
        for p in ("index.html", "2020/01/01/a/index.html", "404.html")
    )
    assert tree(result.destination) == clean_tree(source, tmp_path)


def test_new_post_and_deletion(make_site, tmp_path: Path) -> None:
    source = make_site(SITE)
    session = Session(source)
    session.build()
    (source / "_posts" / "2020-01-04-d.md").write_text("---\ntitle: D\n---\nNew.\n")
    (source / "_posts" / "2020-01-01-a.md").unlink()
    result = session.build()
    assert "2020/01/01/a/index.html" in result.report.removed
    assert "<li>D</li>" in (result.destination / "index.html").read_text()
    assert tree(result.destination) == clean_tree(source, tmp_path)


RICH_FRONT_MATTER = """---
title: Rich
date: 2020-03-29 02:30:00 +0530
updated: 2020-03-01
when: 2020-03-01T10:00:00Z
ratio: .inf
small: 1.0e-7
big: 12345678901234567890
flag: yes
nothing: ~
blob: !!binary aGVsbG8=
nested: {a: [1, 2.5, {b: null}], 3: three, 2020-01-01: day}
tags: [x, y]
---
{{ page.ratio }} {{ page.small }} {{ page.big }} {{ page.nested }} {{ page.blob }} {{ page.when }} {{ page.updated }}
"""


def test_documents_from_the_source_index_equal_parsed_ones(make_site, tmp_path: Path) -> None:
    """Every type front matter can hold comes back from .blog-cache/ exactly (same repr), or the
    post is not indexed; either way a rebuild in a new process gives a clean build's bytes."""
    from generator.incremental.sources import decode_document, encode_document
    from generator.incremental.store import load_renders

    site = make_site(
        {
            **SITE,
            "_config.yml": "title: T\npermalink: pretty\ntimezone: Asia/Kolkata\nrender_with_jinja: true\n",
            "_posts/2020-03-29-rich.md": RICH_FRONT_MATTER,
        }
    )
    first = build(BuildOptions(source=site))
    rich = next(p for p in first.site.posts if p.title == "Rich")
    assert repr(decode_document(encode_document(rich, first.config.timezone), rich.source, first.config.timezone)) == (
        repr(rich)
    )
    state = BuildState()
    load_renders(state, site / ".blog-cache")
    assert "_posts/2020-03-29-rich.md" in state.sources.entries  # indexed, not skipped as unencodable
    second = build(BuildOptions(source=site))
    assert repr(next(p for p in second.site.posts if p.title == "Rich")) == repr(rich)
    assert tree(second.destination) == clean_tree(site, tmp_path)
