"""Every YAML file a site has — front matter, _config.yml, _data/*.yml, demos/*/demo.yml — reports
a syntax error as one line, `path:line: what is wrong; how to fix it`, for the usual mistakes:
an unquoted `: ` in a value, a tab in the indentation, an unclosed quote, an unclosed bracket.
Run through the real CLI, with libyaml's loader and with pure-Python PyYAML (they word errors
differently)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import generator.frontmatter
from generator.commands.cli import main

# (YAML text, 1-based line of the mistake in that text, the message after "path:line: ")
CASES = {
    "unquoted-colon": (
        "title: Ok\ndescription: Part one: part two\n",
        2,
        'invalid YAML: a ": " inside an unquoted value; put the value in quotes: description: "Part one: part two"',
    ),
    "tab-indentation": (
        "title: Ok\nauthor:\n\tname: Me\n",
        3,
        "invalid YAML: a tab in the indentation; YAML indents with spaces only, replace the tab with spaces",
    ),
    "unclosed-quote": (
        'title: Ok\ndescription: "It never ends\nauthor: Me\n',
        2,
        'invalid YAML: the quote opened on this line is never closed; add the closing "',
    ),
    "unclosed-bracket": (
        "title: Ok\ntags: [one, two\nauthor: Me\n",
        2,
        "invalid YAML: the [ opened on this line is never closed; add the closing ] "
        "(or put the whole value in quotes if the [ is part of the text)",
    ),
}

# Where the YAML goes: (path, file text from the YAML, lines before the YAML, other files the site needs)
KINDS = {
    "front-matter": ("_posts/2020-01-01-a.md", lambda y: f"---\n{y}---\nText\n", 1),
    "config": ("_config.yml", lambda y: y, 0),
    "data": ("_data/people.yml", lambda y: y, 0),
    "demo": ("demos/spin/demo.yml", lambda y: y, 0),
}
LOADERS = {"libyaml": getattr(yaml, "CSafeLoader", None), "pure-python": yaml.SafeLoader}


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
@pytest.mark.parametrize("kind", KINDS, ids=list(KINDS))
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_yaml_error_names_the_line_and_the_fix(
    case: str,
    kind: str,
    loader: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if LOADERS[loader] is None:
        pytest.skip("PyYAML was built without libyaml")
    monkeypatch.setattr(generator.frontmatter, "YamlLoader", LOADERS[loader])
    text, line, message = CASES[case]
    relative, wrap, offset = KINDS[kind]
    (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / relative).write_text(wrap(text), encoding="utf-8")
    (tmp_path / "index.md").write_text("---\ntitle: Home\n---\nHi\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--quiet"]) == 1
    problems = [e for e in capsys.readouterr().err.splitlines() if not e.startswith("error: build failed")]
    assert problems == [f"{relative}:{line + offset}: {message}"]
    assert not (tmp_path / "_site").exists()


def test_a_value_with_quotes_inside_gets_a_correctly_escaped_suggestion(tmp_path: Path) -> None:
    with pytest.raises(generator.frontmatter.FrontMatterError) as caught:
        generator.frontmatter.load_yaml('title: He said "hi": twice\n', "p.md")
    assert str(caught.value) == (
        'p.md:1: invalid YAML: a ": " inside an unquoted value; put the value in quotes: title: "He said \\"hi\\": twice"'
    )
    assert yaml.safe_load('title: "He said \\"hi\\": twice"') == {"title": 'He said "hi": twice'}  # the fix works


def test_other_syntax_errors_keep_pyyamls_words_and_the_line(tmp_path: Path) -> None:
    with pytest.raises(generator.frontmatter.FrontMatterError) as caught:
        generator.frontmatter.load_yaml("a:\n  - x\n - y\n", "p.md")
    assert caught.value.line == 3 and "indentation" in caught.value.message
