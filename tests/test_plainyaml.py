"""plainyaml.py reads the plainest front matter without PyYAML: whenever it answers, the answer is
PyYAML's, type for type (compared on generated texts built to hit its edges: booleans in other
spellings, numbers, dates, quotes, flow lists, indicators, comments); the front matter `blog new`
writes and the benchmark corpus's are answered; and a one-post edit of such a post in a new
process imports no PyYAML (counted)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import plainyaml
from generator.commands.scaffold import create_post
from generator.frontmatter import yaml_loader

from test_build_work_counts import make_site
from test_noop_imports import probed_build

REPO = Path(__file__).resolve().parents[1]

WORDS = ["yes", "No", "ON", "off", "true", "False", "TRUE", "null", "Null", "~", "tRue", "nULL", "y", "n", "inf"]
WORDS += [".inf", ".NaN", "NaN", "c++", "c#", "don't", "a:b", "a: b", "x # c", "-x", "?x", "!x", "&x", "*x", "%x"]
WORDS += ["@x", "`x", "a,b", "[a]", "{a}", "|", ">", "=", "<<", "Hello", "machine learning", "a  b", "ab ", "é"]
NUMBERS = ["0", "-0", "+1", "007", "12", "1_000", "0x1F", "0o7", "1.5", "1e3", "-3", "1:30", "190:20:30"]
DATES = ["2020-01-02", "2020-1-2", "2020-13-45", "2020-01-02 03:04:05", "2020-01-02T03:04:05", "2020-01-02t03:04:05"]
DATES += ["2020-01-02 03:04:05 +0100", "2020-01-02 03:04:05 +01:00", "2020-01-02 03:04:05Z", "2020-01-02 3:04:05"]
DATES += ["2020-01-02 03:04:05.5", "2020-01-02  03:04:05", "2020-02-30"]
PIECES = WORDS + NUMBERS + DATES + ["", " ", "\t", "#", ":", "'", '"', "\\", ",", "[", "]", "-", "a", "B", "7", "\x85"]


def scalar() -> st.SearchStrategy[str]:
    glued = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
    return st.one_of(
        st.sampled_from(WORDS + NUMBERS + DATES),
        glued,
        glued.map(lambda text: f'"{text}"'),
        glued.map(lambda text: f"'{text}'"),
        st.lists(glued, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.sampled_from(WORDS), max_size=3).map(lambda items: "[" + ",".join(items) + "]"),
    )


KEYS = st.one_of(
    st.sampled_from(["title", "date", "tags", "a-b", "_x", "y", "yes", "On", "null", "x.y", " k", "k "]),
    st.text("abcXY_-1:# ", min_size=1, max_size=4),
)
LINE = st.one_of(
    st.tuples(
        KEYS, st.sampled_from([": ", ":", ":  ", ": \t"]), scalar(), st.sampled_from(["", " ", "  ", " # c", "\t"])
    ).map("".join),
    st.sampled_from(["", "  ", "# comment", "- item", "  nested: 1", "..."]),
)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (True is not 1, a date is not a datetime)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo == b.tzinfo
    return a == b


def pyyaml(text: str) -> tuple[bool, Any]:
    try:
        return True, yaml.load(text, Loader=yaml_loader())
    except (yaml.YAMLError, ValueError):
        return False, None


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, min_size=1, max_size=5).map("\n".join))
def test_whatever_it_answers_is_what_pyyaml_makes_of_the_text(text: str) -> None:
    answered, value = plainyaml.parse(text)
    if answered:
        parsed, expected = pyyaml(text)
        assert parsed and same(value, expected), (text, value, expected)


def test_it_answers_the_front_matter_posts_usually_hold(tmp_path: Path) -> None:
    texts = [
        'title: "Linear signal with latent filter"\ndate: 2008-01-03\ntags: [performance, research]',
        "title: Don't panic (really)\nlayout: post\ncomments: true\npublished: no\norder: -3\nsubtitle:",
        "title: 'Quoted: with colon # and hash'\ndate: 2013-11-23 20:00:00\ntags: []\nexcerpt: \"é, ü and 😀\"",
    ]
    post = create_post(tmp_path, "A title: with a colon", False, dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC))
    texts.append(post.read_text().split("---\n")[1].strip("\n"))  # what `blog new` wrote
    for text in texts:
        answered, value = plainyaml.parse(text)
        assert answered, text
        assert same(value, yaml.load(text, Loader=yaml_loader()))
    for text in ["title: x\n  more: 1", "a: 1.5", "d: 2020-01-02 03:04:05 +01:00", "on: x", "k: 'it''s'", 'k: "a\\tb"']:
        assert plainyaml.parse(text) == (False, None)


def test_an_edit_of_a_post_with_plain_front_matter_imports_no_pyyaml(tmp_path: Path) -> None:
    """The YAML memo knows only front matter parsed before: a cold build does not keep posts'.
    Plain front matter needs neither; a nested mapping still goes to PyYAML (and reads right)."""
    site = make_site(tmp_path / "site")
    probed_build(site)
    post = site / "_posts/2020-01-02-p1.md"
    post.write_text('---\ntitle: "P1: first edit"\ndate: 2020-01-02 10:00:00\ntags: [a, b]\n---\nEdited.\n')
    edit = probed_build(site)
    assert "yaml" not in edit["modules"]  # (nor markdown: a forked child converted the post, edit_conversion.py)
    assert "<h1>P1: first edit</h1>" in (site / "_site/2020/01/02/p1.html").read_text()
    post.write_text("---\ntitle: Nested\nimage:\n  path: /a.png\n---\nEdited again.\n")
    assert "yaml" in probed_build(site)["modules"]
    assert "<h1>Nested</h1>" in (site / "_site/2020/01/02/p1.html").read_text()
