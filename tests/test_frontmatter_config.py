"""Front matter splitting and `_config.yml` loading: values, types, and errors at real lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError, FrontMatterError
from generator.frontmatter import has_front_matter, parse_document


def test_front_matter_is_split_and_body_line_counted() -> None:
    doc = parse_document("---\ntitle: Hi\ntags: [a, b]\n---\nBody\n", "x.md")
    assert doc.meta == {"title": "Hi", "tags": ["a", "b"]}
    assert doc.body == "Body\n"
    assert doc.body_line == 5
    assert doc.has_front_matter


def test_no_front_matter_keeps_the_whole_text() -> None:
    doc = parse_document("Just text\n---\nmore", "x.md")
    assert not doc.has_front_matter and doc.body == "Just text\n---\nmore" and doc.body_line == 1


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert parse_document("---\n---\nx", "x.md").meta == {}


def test_yaml_error_names_the_real_line() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_document("---\ntitle: ok\ntags: [a, b\nlayout: post\n---\nbody", "_posts/p.md")
    assert caught.value.path == "_posts/p.md"
    assert caught.value.line == 3  # where the unclosed [ was opened: the line the fix goes on
    assert str(caught.value).startswith(f"_posts/p.md:{caught.value.line}: invalid YAML")


def test_unclosed_front_matter_is_an_error_at_line_one() -> None:
    with pytest.raises(FrontMatterError, match="not closed"):
        parse_document("---\ntitle: x\nbody", "p.md")


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(FrontMatterError, match="mapping") as caught:
        parse_document("---\n- a\n- b\n---\n", "p.md")
    assert caught.value.line == 2


def test_detection_handles_bom_and_crlf() -> None:
    assert has_front_matter(b"\xef\xbb\xbf---\ntitle: x\n---\n")
    assert has_front_matter(b"---\r\ntitle: x\r\n---\r\n")
    assert not has_front_matter(b"--- not front matter")
    assert not has_front_matter(b"<html>")


def test_config_defaults_and_unknown_keys(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: T\nbaseurl: repo/\nurl: https://x.org/\nshiny: 3\n")
    config = load_config(tmp_path)
    assert config.title == "T"
    assert config.baseurl == "/repo"  # normalised: leading slash, no trailing slash
    assert config.url == "https://x.org"
    assert config.get("shiny") == 3  # unknown keys are kept for templates
    assert config.permalink == "date"
    assert config.destination == (tmp_path / "_site").resolve()
    assert config.markdown["toc_depth"] == "2-3"


def test_config_type_error_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: T\n\npaginate: lots\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert (
        str(caught.value)
        == f"{tmp_path.resolve() / '_config.yml'}:3: paginate: expected a whole number, got str 'lots'"
    )


def test_config_bad_yaml_and_bad_timezone(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(tmp_path)
    (tmp_path / "_config.yml").write_text("timezone: Mars/Olympus\n")
    with pytest.raises(ConfigError, match=r":1: timezone: unknown time zone"):
        load_config(tmp_path)


def test_config_timezone_and_defaults_scopes(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text(
        "timezone: America/Los_Angeles\ndefaults:\n  - scope: {path: notes, type: pages}\n    values: {layout: note}\n"
    )
    config = load_config(tmp_path)
    assert dt.datetime(2020, 1, 1, tzinfo=config.timezone).utcoffset() == dt.timedelta(hours=-8)
    (default,) = config.defaults
    assert default.matches("notes/a.md", "pages") and not default.matches("notes/a.md", "posts")
    assert not default.matches("notesx/a.md", "pages")


def test_missing_config_file_given_explicitly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, config_file=tmp_path / "nope.yml")
