"""Shortcuts of the loader, each checked against the long way it skips: load/content.py takes a title
that is already a slug as it is, instead of asking python-slugify (only right while python-slugify
returns such a text unchanged, which this checks on the installed version); load/permalinks.py
makes only the date placeholders a pattern names, and leaves values of safe characters unquoted;
render/template_data.py's freeze returns values of exact plain types as they are."""

from __future__ import annotations

import random
import string
from pathlib import Path

from slugify import slugify

from generator.build import BuildOptions, build
import datetime as dt
from urllib.parse import quote

from generator.load.content import ALREADY_A_SLUG
from generator.load.permalinks import STYLES, _quoted, expand, placeholder_names, post_placeholders


def slug_shaped(rng: random.Random) -> str:
    alphabet = string.ascii_lowercase + string.digits
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 10))]
    return "-".join(words)


def test_python_slugify_returns_every_slug_shaped_text_unchanged() -> None:
    rng = random.Random(19)
    texts = [slug_shaped(rng) for _ in range(20_000)] + ["a", "0", "2020", "a-1-b", "x" * 300]
    for text in texts:
        assert ALREADY_A_SLUG.match(text), text
        assert slugify(text) == text, text


def test_texts_that_are_no_slug_are_not_taken_as_one() -> None:
    for text in ["Hello World", "a--b", "-a", "a-", "Ünïcode", "a_b", "a.b", "ABC", "a b", "", "a\n"]:
        assert not ALREADY_A_SLUG.match(text), text


def test_post_urls_from_slug_and_other_file_names(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Slugs\npermalink: /:year/:slug/\n")
    (site / "_posts/2020-01-02-already-a-slug-2.md").write_text("---\ntitle: One\n---\nOne.\n")
    (site / "_posts/2020-01-03-Not A_Slug.md").write_text("---\ntitle: Two\n---\nTwo.\n")
    (site / "_posts/2020-01-04-x.md").write_text("---\ntitle: Three\nslug: Café Crème\n---\nThree.\n")
    result = build(BuildOptions(source=site, destination=tmp_path / "out"))
    urls = sorted(post.url for post in result.site.posts)
    assert urls == ["/2020/already-a-slug-2/", "/2020/cafe-creme/", "/2020/not-a-slug/"]


def test_values_are_quoted_as_quote_would_quote_them() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "/.~-_ %?#&é\udc80:"
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert _quoted(value) == quote(value, safe="/.~-_", errors="surrogateescape"), value


def test_only_the_named_date_placeholders_are_made_and_they_are_the_same() -> None:
    date = dt.datetime(2021, 3, 7, 14, 5, 9)
    everything = post_placeholders(date, "T", "t", ("A b",), ".html")
    patterns = [*STYLES.values(), "/:y_day/:week/:short_day/:hour:minute:second/:i_month-:i_day/:short_year/"]
    for pattern in patterns:
        names = placeholder_names(pattern)
        some = post_placeholders(date, "T", "t", ("A b",), ".html", names)
        assert set(some) <= set(everything) and all(everything[key] == value for key, value in some.items())
        assert expand(pattern, some) == expand(pattern, everything), pattern
    assert "short_day" not in post_placeholders(date, "T", "t", (), ".html", placeholder_names("/:year/:title/"))


def test_freeze_returns_plain_values_as_the_long_way_does() -> None:
    """template_data.freeze's shortcut for exact plain types gives what its checks give."""
    import markupsafe

    from generator.render import template_data

    class Text(str):
        pass

    values = ["a", markupsafe.Markup("<b>"), 1, 2.5, True, None, dt.date(2020, 1, 2), dt.datetime(2020, 1, 2, 3)]
    for value in values:
        assert template_data.freeze(value) is value
    # What is not exactly one of those still takes the long way: a str subclass becomes a str.
    frozen = template_data.freeze(Text("x"))
    assert type(frozen) is str and frozen == "x"
    assert template_data.freeze({"k": [1, "a", {"n": None}]}) == {"k": (1, "a", {"n": None})}
    assert type(template_data.freeze({"k": [1]})["k"]) is tuple
