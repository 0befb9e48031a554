"""Hostile content (issue #12) ends in one located line on stderr and exit code 1, never a
traceback, a hang or minutes of CPU, and the destination is never created. One case per kind of
input; each runs the real CLI in a subprocess on a tiny site."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import write_files

LAYOUT = {"_layouts/default.html": "{{ content }}\n", "_config.yml": "title: t\n"}
POST = "_posts/2020-01-01-a.md"
NESTING = "nesting deeper than 100 levels (lists, quotes or markdown divs); flatten it"
EDGE = "is too close to the edge of the calendar to convert between time zones; use a year from 2 to 9998"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def post(body: str, front: str = "title: a\n") -> dict[str, str]:
    return {POST: f"---\n{front}---\n{body}"}


def symlink_loop(root: Path) -> None:
    os.symlink(".", root / "self")


def fifo(root: Path) -> None:
    os.mkfifo(root / "pipe.md")


def undecodable_name(root: Path) -> None:
    (root / "_posts").mkdir(exist_ok=True)
    with open(os.fsencode(root / "_posts") + b"/2020-01-01-\xff.md", "wb") as handle:
        handle.write(b"---\ntitle: x\n---\nhi\n")


# (id, files, extra setup, build arguments, the exact stderr lines)
BUILD_CASES: list[tuple[str, dict[str, str], Callable[[Path], None] | None, list[str], list[str]]] = [
    (
        "date_after_9999_in_utc",
        post("x\n", "date: 9999-12-31 23:00:00 -1200\n"),
        None,
        ["--future"],
        [f"{POST}:2: date: date '9999-12-31 23:00:00 -1200' {EDGE}"],
    ),
    (
        "date_before_year_1_in_utc",
        post("x\n", "date: 0001-01-01 00:00:00 +1400\n"),
        None,
        [],
        [f"{POST}:2: date: date '0001-01-01 00:00:00 +1400' {EDGE}"],
    ),
    (
        "folder_symlink_to_its_parent",
        {},
        symlink_loop,
        [],
        ["self: symbolic link to a folder that contains it (a loop); remove it or add it to `exclude:`"],
    ),
    (
        "fifo_in_source_tree",
        {},
        fifo,
        [],
        ["pipe.md: not a regular file (a FIFO, socket or device); remove it or add it to `exclude:`"],
    ),
    (
        "toc_depth_banana",
        {"_config.yml": "title: t\nmarkdown: {toc_depth: banana}\n"},
        None,
        [],
        ["_config.yml:2: markdown.toc_depth: must be a heading level 1-6 or a range like 2-3, got 'banana'"],
    ),
    (
        "unknown_highlight_style",
        {"_config.yml": "title: t\nmarkdown:\n  highlight_style_light: nope\n"},
        None,
        [],
        [
            "_config.yml:3: markdown.highlight_style_light: unknown Pygments style 'nope'; "
            "try default, friendly, monokai or nord"
        ],
    ),
    (
        "empty_excerpt_separator",
        {"_config.yml": "title: t\nexcerpt_separator: ''\n"},
        None,
        [],
        ['_config.yml:2: excerpt_separator: must not be empty; the default is a blank line ("\\n\\n")'],
    ),
    (
        "non_string_exclude_entries",
        {"_config.yml": "title: t\nexclude: [1, {a: b}]\n"},
        None,
        [],
        ["_config.yml:2: exclude: entry 1 must be a file name or glob pattern in quotes, got 1"],
    ),
    (
        "non_string_include_entries",
        {"_config.yml": "title: t\ninclude:\n  - .well-known\n  - {a: b}\n"},
        None,
        [],
        ["_config.yml:2: include: entry 2 must be a file name or glob pattern in quotes, got {'a': 'b'}"],
    ),
    (
        "config_names_a_folder",
        {},
        None,
        ["--config", "_layouts"],
        ["_layouts: the config is not a file (a folder?); point --config at a YAML file"],
    ),
    (
        "ten_thousand_nested_markdown_divs",
        post('<div markdown="1">\n' * 10_000),
        None,
        [],
        [f"{POST}:104: {NESTING}"],
    ),
    (
        "lists_300_deep",
        post("".join("    " * level + "- item\n" for level in range(300))),
        None,
        [],
        [f"{POST}:104: {NESTING}"],
    ),
    ("thousand_nested_quotes", post("> " * 1000 + "deep\n"), None, [], [f"{POST}:4: {NESTING}"]),
    (
        "undecodable_file_name",
        {},
        undecodable_name,
        [],
        [
            "_posts/2020-01-01-\\xff.md: the name b'2020-01-01-\\xff.md' is not valid UTF-8, so it cannot become a URL; rename it"
        ],
    ),
]


@pytest.mark.parametrize(
    ("files", "setup", "arguments", "expected"), [case[1:] for case in BUILD_CASES], ids=[c[0] for c in BUILD_CASES]
)
def test_hostile_site_fails_with_one_located_line(
    tmp_path: Path,
    files: dict[str, str],
    setup: Callable[[Path], None] | None,
    arguments: list[str],
    expected: list[str],
) -> None:
    site = write_files(tmp_path / "site", {**LAYOUT, **files})
    if setup:
        setup(site)
    result = run(site, "build", "--quiet", *arguments)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("error: build failed")]
    assert "Traceback" not in result.stderr
    assert lines == expected
    assert result.returncode == 1
    assert not (site / "_site").exists()


def test_oversized_formula_is_a_warning_and_the_site_builds(tmp_path: Path) -> None:
    """A warning, like every other formula that cannot convert: the page still reads, the TeX is
    shown as code, and the author learns the line."""
    site = write_files(tmp_path / "site", {**LAYOUT, **post("text\n\n$$" + "x+" * 15_000 + "x$$\n")})
    result = run(site, "build", "--quiet")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{POST}:6: cannot convert formula '{'x+' * 30}' to MathML: formula of 30001 characters, over the limit "
        "of 20000; split it; it is shown as TeX code — fix the TeX or escape $ as \\$ (warning)"
    ]


def test_math_bomb_from_issue_12_builds_with_math_off(tmp_path: Path) -> None:
    """The 100 KB post that took 22 s; linearity itself is proven in test_scanner_linearity.py."""
    unit = "\\[ \\( \\begin{align} "
    files = {**LAYOUT, "_config.yml": "title: t\nmarkdown: {math: false}\n", **post(unit * (100_000 // len(unit)))}
    site = write_files(tmp_path / "site", files)
    result = run(site, "build", "--quiet")
    assert result.returncode == 0 and result.stderr == ""


@pytest.mark.parametrize("title", ["a\\", 'say "hi"\\', "line\nbreak\t\x7f\u2028", ": - [x] # {y}"])
def test_blog_new_writes_front_matter_that_reads_back(tmp_path: Path, title: str) -> None:
    (tmp_path / "_config.yml").write_text("title: a site\n")  # `blog new` refuses a folder that is not a site
    result = run(tmp_path, "new", title)
    assert result.returncode == 0, result.stderr
    text = Path(tmp_path, result.stdout.strip()).read_text("utf-8")
    front = text.split("---\n")[1]
    assert yaml.safe_load(front)["title"] == title


def test_blog_new_caps_a_long_title_slug(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: a site\n")
    result = run(tmp_path, "new", "word " * 2_000)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    name = Path(result.stdout.strip()).name
    assert len(name.encode()) <= len("2020-01-01-") + 100 + len(".md")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["init", "{file}"], "{file} is a file, not a folder; choose a new folder name"),
        (
            ["new", "x", "--source", "file"],
            "file: is not a folder; check --source, or create a site there with `blog init file`",
        ),
    ],
    ids=["init_on_a_file", "new_in_a_file"],
)
def test_cli_misuse_is_one_line(tmp_path: Path, arguments: list[str], expected: str) -> None:
    import datetime as dt

    target = tmp_path / "file"
    target.write_text("keep me\n")
    values = {"file": str(target), "today": dt.date.today().isoformat()}
    result = run(tmp_path, *[a.format(**values) for a in arguments])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [expected.format(**values)]
    assert target.read_text() == "keep me\n" and sorted(p.name for p in tmp_path.iterdir()) == ["file"]
