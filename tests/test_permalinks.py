"""Every permalink style and placeholder, per-document permalinks, and dates near midnight in a
non-UTC site time zone (the URL uses the site's local date, as Jekyll does)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import load_config
from generator.load.content import load_document
from generator.model import Source
from generator.load.permalinks import expand, output_path_for, post_placeholders

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def post(tmp_path: Path, config_text: str, name: str, front: str = "title: T") -> str:
    (tmp_path / "_config.yml").write_text(config_text)
    path = tmp_path / "_posts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\n{front}\n---\nbody\n")
    config = load_config(tmp_path)
    doc = load_document(Source(path, f"_posts/{name}", "post"), config, NOW, set())
    assert doc is not None
    return doc.url


@pytest.mark.parametrize(
    "style, expected",
    [
        ("date", "/2015/05/21/rnn-effectiveness.html"),
        ("pretty", "/2015/05/21/rnn-effectiveness/"),
        ("ordinal", "/2015/141/rnn-effectiveness.html"),
        ("none", "/rnn-effectiveness.html"),
        ("weekdate", "/2015/W21/Thu/rnn-effectiveness.html"),
    ],
)
def test_builtin_styles(tmp_path: Path, style: str, expected: str) -> None:
    assert post(tmp_path, f"permalink: {style}\n", "2015-05-21-rnn-effectiveness.md") == expected


def test_categories_prefix_styles(tmp_path: Path) -> None:
    url = post(tmp_path, "permalink: pretty\n", "2015-05-21-x.md", "title: T\ncategories: [ML, Deep Nets]")
    assert url == "/ml/deep-nets/2015/05/21/x/"


def test_every_placeholder(tmp_path: Path) -> None:
    pattern = (
        "/:year/:short_year/:month/:i_month/:day/:i_day/:hour/:minute/:second/:title/:slug/:categories/x:output_ext"
    )
    url = post(
        tmp_path,
        f"permalink: {pattern}\n",
        "2009-03-04-Hello-World.md",
        "title: T\ndate: 2009-03-04 05:06:07 +0000\ncategories: news",
    )
    assert url == "/2009/09/03/3/04/4/05/06/07/Hello-World/hello-world/news/x.html"


def test_title_keeps_the_file_name_spelling(tmp_path: Path) -> None:
    url = post(tmp_path, "permalink: pretty\n", "2014-07-02-visualizing-top-tweeps-with-t-sne-in-Javascript.md")
    assert url == "/2014/07/02/visualizing-top-tweeps-with-t-sne-in-Javascript/"


def test_per_document_permalink_wins(tmp_path: Path) -> None:
    assert (
        post(tmp_path, "permalink: pretty\n", "2015-01-01-a.md", "title: T\npermalink: /custom/:year/")
        == "/custom/2015/"
    )


@pytest.mark.parametrize(
    "timezone, front_date, expected",
    [
        # 23:30 in Los Angeles on the 1st is the 2nd in UTC: the site's zone decides the URL date.
        ("America/Los_Angeles", "2020-01-01 23:30:00 -0800", "/2020/01/01/p/"),
        ("UTC", "2020-01-01 23:30:00 -0800", "/2020/01/02/p/"),
        ("Asia/Tokyo", "2020-01-01 20:00:00 +0000", "/2020/01/02/p/"),
        ("Asia/Tokyo", "2020-01-01 14:59:59 +0000", "/2020/01/01/p/"),
    ],
)
def test_dates_near_midnight_use_the_site_time_zone(
    tmp_path: Path, timezone: str, front_date: str, expected: str
) -> None:
    url = post(
        tmp_path, f"permalink: pretty\ntimezone: {timezone}\n", "2020-01-01-p.md", f"title: T\ndate: {front_date}"
    )
    assert url == expected


def test_naive_front_matter_time_is_site_local(tmp_path: Path) -> None:
    url = post(
        tmp_path,
        "permalink: /:year/:month/:day/:hour/\ntimezone: Asia/Tokyo\n",
        "2020-01-01-p.md",
        "title: T\ndate: 2020-01-01 23:10:00",
    )
    assert url == "/2020/01/01/23/"


def test_page_urls(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("permalink: pretty\n")
    (tmp_path / "docs").mkdir()
    for name in ("about.md", "docs/index.md", "docs/guide.html", "feed.xml"):
        (tmp_path / name).write_text("---\n---\nx")
    config = load_config(tmp_path)
    urls = {
        name: load_document(Source(tmp_path / name, name, "page"), config, NOW, set()).url
        for name in ("about.md", "docs/index.md", "docs/guide.html", "feed.xml")
    }
    assert urls == {
        "about.md": "/about/",
        "docs/index.md": "/docs/",
        "docs/guide.html": "/docs/guide/",
        "feed.xml": "/feed.xml",
    }


def test_page_urls_date_style(tmp_path: Path) -> None:
    (tmp_path / "about.md").write_text("---\n---\nx")
    config = load_config(tmp_path)
    assert load_document(Source(tmp_path / "about.md", "about.md", "page"), config, NOW, set()).url == "/about.html"


def test_output_paths() -> None:
    assert output_path_for("/") == "index.html"
    assert output_path_for("/a/b/") == "a/b/index.html"
    assert output_path_for("/a.html") == "a.html"
    assert output_path_for("/caf%C3%A9/") == "café/index.html"


def test_unknown_placeholder_stays_literal() -> None:
    values = post_placeholders(dt.datetime(2020, 1, 2), "t", "t", (), ".html")
    assert expand("/:year/:nope/:title/", values) == "/2020/:nope/t/"
