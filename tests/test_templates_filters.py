"""Filters and the template layer: layout chains, extends, includes, undefined handling."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from generator.render import filters
from generator.build import BuildOptions, build
from generator.errors import BuildFailed

WHEN = dt.datetime(2015, 5, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_date_filters() -> None:
    assert filters.date_format(WHEN, "%-d %B %Y") == "1 May 2015"
    assert filters.date_format(WHEN, "%-m/%-d %-H:%M") == "5/1 9:05"
    assert filters.date_format(None) == ""
    assert filters.date_to_xmlschema(WHEN) == "2015-05-01T09:05:00+02:00"
    assert filters.date_to_rfc822(WHEN) == "Fri, 01 May 2015 09:05:00 +0200"
    assert filters.date_to_xmlschema("2015-05-01") == "2015-05-01T00:00:00+00:00"


def test_url_filters() -> None:
    assert filters.relative_url("/about/", "/repo") == "/repo/about/"
    assert filters.relative_url("about/", "/repo") == "/repo/about/"
    assert filters.relative_url("/repo/about/", "/repo") == "/repo/about/"  # never doubled
    assert filters.relative_url("", "") == "/"
    assert filters.relative_url("https://x.org/a", "/repo") == "https://x.org/a"
    assert filters.relative_url("#top", "/repo") == "#top"
    assert filters.absolute_url("/a/", "https://x.org", "/repo") == "https://x.org/repo/a/"


def test_text_filters() -> None:
    assert filters.xml_escape('a<b & "c"') == "a&lt;b &amp; &quot;c&quot;"
    assert filters.slugify("Deep Learning & RNNs!") == "deep-learning-rnns"
    assert filters.strip_html("<p>Hi <b>there</b></p><script>x()</script>") == "Hi there"
    assert filters.truncatewords("one two three four", 2) == "one two…"
    assert filters.truncatewords("one two", 5) == "one two"


def test_collection_filters() -> None:
    items = [{"n": "a", "tags": ["x"], "k": 2}, {"n": "b", "tags": ["y"], "k": 1}, {"n": "c", "tags": ["x"], "k": None}]
    assert [i["n"] for i in filters.where(items, "tags", "x")] == ["a", "c"]
    assert [(g["name"], g["size"]) for g in filters.group_by(items, "tags")] == [(["x"], 2), (["y"], 1)]
    assert [i["n"] for i in filters.sort_by(items, "k")] == ["c", "b", "a"]
    assert [i["n"] for i in filters.sort_by(items, "k", "last")] == ["b", "a", "c"]
    assert json.loads(filters.jsonify({"d": WHEN, "l": (1, 2)})) == {"d": "2015-05-01T09:05:00+02:00", "l": [1, 2]}


def test_jsonify_survives_linked_page_views() -> None:
    a: dict = {"title": "a"}
    b: dict = {"title": "b", "previous": a}
    a["next"] = b
    assert json.loads(filters.jsonify(a)) == {"title": "a"}


SITE = {
    "_config.yml": "title: T\nauthor: Me\n",
    "_layouts/base.html": "<html><body>{% block body %}{{ content }}{% endblock %}</body></html>\n",
    "_layouts/default.html": '---\nlayout: base\n---\n<div class="default">{{ content }}</div>{% include "sig.html" %}',
    "_layouts/post.html": '---\nlayout: default\ncolour: blue\n---\n<article data-colour="{{ layout.colour }}">{{ content }}</article>',
    "_layouts/fancy.html": '{% extends "base.html" %}{% block body %}<b>{{ page.title }}</b>{{ content }}{% endblock %}',
    "_includes/sig.html": "<small>{{ site.author }}{{ page.missing_key }}</small>",
    "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nHello **A** {{ page.title }}.\n",
    "b.md": "---\ntitle: B\nlayout: fancy\n---\nBee\n",
}


def test_layout_chain_and_extends(make_site) -> None:
    site = build(BuildOptions(source=make_site(SITE))).destination
    post = (site / "2020/01/01/a.html").read_text()
    assert post == (
        '<html><body><div class="default"><article data-colour="blue"><p>Hello <strong>A</strong> '
        "{{ page.title }}.</p></article></div><small>Me</small></body></html>\n"
    )
    page = (site / "b.html").read_text()
    assert page == "<html><body><b>B</b><p>Bee</p></body></html>\n"


def test_layout_loop_is_an_error(make_site) -> None:
    files = dict(SITE)
    files["_layouts/base.html"] = "---\nlayout: post\n---\n{{ content }}"
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=make_site(files)))
    assert any("layout loop: post -> default -> base -> post" in line for line in caught.value.lines())
