"""One config schema (generator/config_schema.py) read by every command: each known key with a
wrong type is one located line, never a traceback; unknown keys stay available to templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import load_config
from generator.config_schema import SCHEMA, Option
from generator.errors import ConfigError

POST = "---\ntitle: A post\n---\nSome text.\n"


def wrong_value(option: Option) -> object:
    """A value of a type the option does not accept."""
    for candidate in (["a", "list"], {"a": "mapping"}, 12345, "text", True):
        if not isinstance(candidate, option.types) or (isinstance(candidate, bool) and bool not in option.types):
            if isinstance(candidate, bool) and bool in option.types:
                continue
            return candidate
    raise AssertionError(f"no wrong value for {option}")


def yaml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def nested_cases() -> list[tuple[str, Option]]:
    cases = [(key, option) for key, option in SCHEMA.items()]
    for key, option in SCHEMA.items():
        cases += [(f"{key}.{inner}", inner_option) for inner, inner_option in (option.keys or {}).items()]
    return cases


@pytest.mark.parametrize(("key", "option"), nested_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_key_with_a_wrong_type_is_one_located_line(tmp_path: Path, key: str, option: Option) -> None:
    value = wrong_value(option)
    if "." in key:
        outer, inner = key.split(".")
        config = f"title: t\n{outer}:\n  {inner}: {yaml_value(value)}\n"
        line = 3
    else:
        config = f"title: t\n{key}: {yaml_value(value)}\n" if key != "title" else f"{key}: {yaml_value(value)}\n"
        line = 2 if key != "title" else 1
    (tmp_path / "_config.yml").write_text(config, "utf-8")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2020-01-01-a.md").write_text(POST, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [entry for entry in result.stderr.splitlines() if not entry.startswith("error: build failed")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"_config.yml:{line}: {key}: expected {option.describe()}, got "), lines[0]
    assert not (tmp_path / "_site").exists()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("feed_limit: 0\n", "_config.yml:1: feed_limit: must be 1 or more"),
        ("toc_min_headings: -1\n", "_config.yml:1: toc_min_headings: must be 0 or more"),
        ("paginate_path: /p/\n", "_config.yml:1: paginate_path: must contain :num, e.g. /page/:num/"),
        ("timezone: Mars/Base\n", "_config.yml:1: timezone: unknown time zone 'Mars/Base'; use an IANA name"),
        ("generate:\n  homepage: false\n", "_config.yml:2: generate.homepage: unknown key; known keys: home,"),
        ("markdown:\n  math: true\n  toc_depth: 9\n", "_config.yml:3: markdown.toc_depth: must be a heading level"),
    ],
)
def test_checks_beyond_the_type(tmp_path: Path, config: str, expected: str) -> None:
    (tmp_path / "_config.yml").write_text(config, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    line, message = expected.split(":", 2)[1:]
    assert caught.value.line == int(line)
    assert caught.value.message.startswith(message.strip())
    assert Path(str(caught.value.path)).name == "_config.yml"


def test_unknown_keys_stay_for_templates_and_defaults_fill_nested_keys(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("github_user: someone\njinja_limits: {loop_iterations: 5}\n", "utf-8")
    config = load_config(tmp_path)
    assert config.get("github_user") == "someone"
    assert config.get("jinja_limits") == {"output_bytes": 10_000_000, "loop_iterations": 5, "recursion_depth": 50}
    assert config.get("feed_limit") == 20


def test_check_reads_the_config_through_the_schema(make_site) -> None:
    """`baseurl: repo/` is normalised for `blog check` exactly as for the build: no false errors."""
    site = make_site(
        {
            "_config.yml": "title: T\nbaseurl: repo/\npermalink: pretty\n",
            "_posts/2020-01-01-a.md": POST + "\n[home](/repo/)\n",
            "about.md": "---\ntitle: About\n---\nAbout.\n",
            "index.md": "---\ntitle: Home\n---\n[About](/repo/about/)\n",
        }
    )
    built = subprocess.run([sys.executable, "-m", "generator", "build", "-q"], cwd=site, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    checked = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=site, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no problems" in checked.stdout
