"""Generated pages stream their layout chain into bytes (render/layout_stream.py), splicing the
inner layout's chunks where the outer one prints `{{ content }}`. That must be exactly the old
output (render_layout_chain, encoded), and a layout that does anything else with `content` must
be rendered the old way. Real templates in real files, rendered by the real environment."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import jinja2
import pytest

from generator.incremental.bigrows import BIG, copy_renders, insert_render
from generator.incremental.store import _SCHEMA
from generator.model import Source
from generator.render.layout_stream import layout_chain_bytes, prints_content_plainly
from generator.load.layouts import load_layouts
from generator.render.templates import make_environments, render_layout_chain

HOME = "---\nlayout: default\n---\n<ul>{% for p in posts %}<li>{{ p }} — é</li>{% endfor %}</ul>\n"
HEAD = "<title>{{ page.title }}</title>"


def site(root: Path, default: str, head: str = HEAD) -> tuple[jinja2.Environment, dict]:
    (root / "_layouts").mkdir(parents=True)
    (root / "_includes").mkdir()
    (root / "_layouts" / "home.html").write_text(HOME)
    (root / "_layouts" / "default.html").write_text(default)
    (root / "_includes" / "head.html").write_text(head)
    sources = [Source(p, p.relative_to(root).as_posix(), "layout") for p in sorted((root / "_layouts").iterdir())]
    filters = {"shout": jinja2.pass_context(lambda context, value: str(context.get("content")).upper() + value)}
    layouts_env, _ = make_environments(root, filters, {})
    return layouts_env, load_layouts(sources)


def both(env: jinja2.Environment, layouts: dict) -> tuple[bytes | None, bytes]:
    context = {"page": {"title": "Home <&>"}, "posts": [f"post {n} <b>" for n in range(300)]}
    streamed = layout_chain_bytes(env, layouts, "home", "", dict(context))
    old = render_layout_chain(env, layouts, "home", "", dict(context), "generated:home").encode()
    return streamed, old


PLAIN = [
    "<html>{% include 'head.html' %}<main>{{ content }}</main></html>\n",
    "{% if page.title %}<main>{{ content }}</main>{% else %}{{ content }}{% endif %}",
    "{% block main %}<main>{{ content }}</main>{% endblock %}",
    "<p>{{ page.title }}</p>",  # content never printed: the inner layout still rendered, output the same
]


@pytest.mark.parametrize("default", PLAIN)
def test_a_layout_that_only_prints_content_is_streamed_to_the_same_bytes(tmp_path: Path, default: str) -> None:
    env, layouts = site(tmp_path, default)
    streamed, old = both(env, layouts)
    assert streamed is not None, "streamable, yet rendered the old way"
    assert streamed == old


OTHERWISE = [
    "<main>{{ content | upper }}</main>",
    "<main>{{ content | striptags }}</main>",
    "{% if content %}<main>{{ content }}</main>{% endif %}",
    "<p>{{ content | length }}</p>{{ content }}",
    "{% for n in [1, 2] %}{{ content }}{% endfor %}",
    "{% set content = 'x' %}{{ content }}",
    "{% filter upper %}{{ content }}{% endfilter %}",
    "{% macro m() %}{{ content }}{% endmacro %}{{ m() }}",
    "{% autoescape false %}{{ content }}{% endautoescape %}",
    "{% include 'head.html' %}{{ content }}",  # the include (below) reads content
    "{% set name = 'head.html' %}{% include name %}{{ content }}",  # an include known only at run time
]


@pytest.mark.parametrize("default", OTHERWISE)
def test_a_layout_that_does_more_with_content_is_rendered_the_old_way(tmp_path: Path, default: str) -> None:
    env, layouts = site(tmp_path, default, head="<title>{{ content | striptags | truncate(20) }}</title>")
    assert not prints_content_plainly(env, "_layouts/default.html")
    streamed, old = both(env, layouts)
    assert streamed is None
    assert old  # (rendered, the old way)


def test_a_function_reading_content_from_the_context_stops_the_stream(tmp_path: Path) -> None:
    """Invisible to the template check: a pass-context filter reads `content` (the slot) itself."""
    env, layouts = site(tmp_path, "<p>{{ 'x' | shout }}</p>{{ content }}")
    assert prints_content_plainly(env, "_layouts/default.html")
    streamed, old = both(env, layouts)
    assert streamed is None
    assert b"POST 299" in old


def test_template_errors_are_left_to_the_old_way(tmp_path: Path) -> None:
    env, layouts = site(tmp_path, "<main>{{ content }}</main>{{ page.title.nope() }}")
    assert layout_chain_bytes(env, layouts, "home", "", {"page": {"title": "t"}, "posts": []}) is None


def test_a_new_build_does_not_parse_unchanged_layouts_again_but_sees_an_edited_include(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`blog serve` makes new environments per rebuild: the check is kept per template text, so a
    second environment parses nothing, and an edited include (a text never seen) is checked again."""
    parsed: list[str] = []
    real = jinja2.Environment.parse

    def counted(self: jinja2.Environment, source: str, *args: object, **kwargs: object) -> object:
        parsed.append(source)
        return real(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "parse", counted)
    default = "<html>{% include 'head.html' %}<main>{{ content }}</main></html>\n<!-- " + tmp_path.name + " -->"
    env, layouts = site(tmp_path, default, head=HEAD + tmp_path.name)  # (texts no other test parsed)
    assert prints_content_plainly(env, "_layouts/default.html")
    assert len(parsed) == 2  # the layout and its include, each once
    again, _ = make_environments(tmp_path, {}, {})
    assert prints_content_plainly(again, "_layouts/default.html")
    assert len(parsed) == 2
    (tmp_path / "_includes" / "head.html").write_text("<title>{{ content | striptags }}" + tmp_path.name)
    edited, _ = make_environments(tmp_path, {}, {})
    assert not prints_content_plainly(edited, "_layouts/default.html")
    assert len(parsed) == 3  # only the edited include
    streamed, old = both(edited, layouts)
    assert streamed is None and old


def test_large_render_rows_are_stored_and_copied_byte_for_byte() -> None:
    """Rows of BIG bytes or more go through blob handles (incremental/bigrows.py), into the spill
    database and from it into `.blog-cache/`'s; small ones through the plain statement."""
    spill, saved = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for db in (spill, saved):
        for statement in _SCHEMA:
            db.execute(statement)
    big = bytes(range(256)) * (BIG // 256 * 3 + 7)  # not a whole number of slices
    rows = [
        ("index.html", "own1", '[["a", "x"]]', "[[], []]", big, "d1"),
        ("a.html", "own2", "[]", "[[], []]", b"small", "d2"),
    ]
    saved.execute("INSERT INTO renders VALUES ('index.html', 'old', '[]', '[]', x'00', 'd0')")  # replaced
    for row in rows:
        insert_render(spill, row)
    insert_render(spill, (*rows[0][:4], big[::-1], "d3"))  # INSERT OR REPLACE: the last one stays
    copy_renders(spill, saved)
    query = "SELECT path, own, docs, deps, data, digest FROM renders ORDER BY path"
    assert saved.execute(query).fetchall() == [rows[1], (*rows[0][:4], big[::-1], "d3")]
    assert spill.execute(query).fetchall() == saved.execute(query).fetchall()
