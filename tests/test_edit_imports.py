"""A one-post edit in a new process (issue #19, session 6), counted rather than timed: it converts
one post (in a forked child, session 9) and renders with Jinja, and imports nothing else it does not use —
no `importlib.metadata` (Python-Markdown's extension lookup by name, Pygments' plugin module),
no `email` (one date filter), no kramdown module on a site that does not write kramdown — while
what those imports served still works: a Pygments lexer from an installed plugin is found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_build_work_counts import make_site
from test_noop_imports import probed_build

REPO = Path(__file__).resolve().parents[1]
NOT_FOR_AN_EDIT = ("importlib.metadata", "email", "email.utils", "socket", "generator.render.kramdown", "yaml")


def test_an_edit_imports_the_converter_and_jinja_but_no_metadata_email_or_kramdown(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    post = site / "_posts/2020-01-02-p1.md"
    post.write_text("---\ntitle: P1\n---\nSome $x^2$ and\n\n```python\nx = 1\n```\n\n    indented = 2\n")
    # (The probe sees what a build imports: the cold build converts the formula.)
    assert "latex2mathml.converter" in probed_build(site)["modules"]
    post.write_text(post.read_text() + "\nEdited once.\n")
    probed_build(site)  # the first edit parses this post's front matter (PyYAML): not counted here
    post.write_text(post.read_text() + "\nEdited twice.\n")
    edit = probed_build(site)
    # It rendered; the edited post was converted by a child forked while the site loaded
    # (render/edit_conversion.py): the converters were imported there, not here.
    assert "jinja2" in edit["modules"] and not {"markdown", "pygments.lexers"} & set(edit["modules"])
    assert sorted(name for name in NOT_FOR_AN_EDIT if name in edit["modules"]) == []
    page = (site / "_site/2020/01/02/p1.html").read_text()
    assert "Edited twice." in page
    assert '<span class="n">x</span>' in page  # the fenced block, highlighted (from the fragment memo)
    assert 'class="language-text">indented = 2' in page  # the indented block: CodeHilite, an instance
    assert "<math" in page


PLUGIN_LEXER = """
from pygments.lexer import RegexLexer
from pygments.token import Keyword, Text


class ShoutLexer(RegexLexer):
    name = "Shout"
    aliases = ["shout"]
    tokens = {"root": [(r"[A-Z]+", Keyword), (r"[^A-Z]+", Text)]}
"""


def test_a_lexer_from_an_installed_plugin_is_still_found(tmp_path: Path) -> None:
    """Pygments asks entry points for a language its own tables lack; with the stand-in for
    `pygments.plugin` (render/highlight_plugins.py) the answer is the same as with its own."""
    installed = tmp_path / "installed"
    (installed / "shout_lexer-1.0.dist-info").mkdir(parents=True)
    (installed / "shout_lexer-1.0.dist-info/METADATA").write_text(
        "Metadata-Version: 2.1\nName: shout-lexer\nVersion: 1.0\n"
    )
    (installed / "shout_lexer-1.0.dist-info/entry_points.txt").write_text(
        "[pygments.lexers]\nshout = shout_lexer:ShoutLexer\n"
    )
    (installed / "shout_lexer.py").write_text(PLUGIN_LEXER)
    site = make_site(tmp_path / "site")
    (site / "_posts/2020-01-02-p1.md").write_text("---\ntitle: P1\n---\n```shout\nLOUD quiet\n```\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(installed)]))
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--quiet"], cwd=site, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    page = (site / "_site/2020/01/02/p1.html").read_text()
    assert '<span class="k">LOUD</span>' in page
    probe = (
        "import sys, generator.render.markdown_engine\n"
        "from pygments.lexers import get_lexer_by_name\n"
        "print(sys.modules['pygments.plugin'].__name__, 'importlib.metadata' in sys.modules)\n"
        "print(type(get_lexer_by_name('shout')).__name__, 'importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["generator.render.highlight_plugins False", "ShoutLexer True"]


def test_the_theme_loader_imports_subprocess_only_to_ask_ruby() -> None:
    """`load/theme.py` runs Ruby only to find a gem theme that is not on disk; every build imports
    the module, so `subprocess` (with `locale`, `signal`: ~3 ms) waits for that call."""
    probe = (
        "import sys\nbefore = set(sys.modules)\nimport generator.load.theme\n"
        "print(sorted({'subprocess', 'locale'} & (set(sys.modules) - before)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_content_token_is_the_fingerprint_of_what_it_stands_for() -> None:
    """lazy_parts.content_token hashes its four strings in one update; renders stored under
    tokens made the old way (state.fingerprint of the same parts) must stay valid."""
    from generator.incremental.state import fingerprint
    from generator.render.lazy_parts import CONTENT_TOKEN_RULES, content_token

    for parts in [("a" * 64, "b" * 64, ""), ("k1", "k2", "/base"), ("é\ud800", "\0", "x\0y")]:
        assert content_token(*parts) == fingerprint(CONTENT_TOKEN_RULES, *parts)
    assert content_token("k1", "k2", "") != content_token("k1", "k2", "/base")


def test_installed_versions_are_importlib_metadatas(tmp_path: Path) -> None:
    """installed.version reads dist-info folder names (each sys.path folder listed once) and gives
    what importlib.metadata.version gives: a first folder's copy wins; a distribution installed
    twice in one folder, or as an egg-info, is left to importlib.metadata."""
    first = tmp_path / "first"
    for name in ("Markdown-0.1.dist-info", "only_here-2.5.dist-info", "twice-1.0.dist-info", "twice-2.0.dist-info"):
        (first / name).mkdir(parents=True)
        distribution, version = name.removesuffix(".dist-info").split("-")
        (first / name / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
    (first / "eggy.egg-info").mkdir()
    (first / "eggy.egg-info/PKG-INFO").write_text("Metadata-Version: 1.0\nName: eggy\nVersion: 3.0\n")
    names = [
        "markdown",
        "Markdown",
        "pygments",
        "latex2mathml",
        "jinja2",
        "PyYAML",
        "only-here",
        "Only_Here",
        "twice",
        "eggy",
    ]
    probe = (
        "import importlib.metadata, json, sys\nfrom generator import installed\n"
        f"names = {names!r}\n"
        "print(json.dumps([[installed.version(n), importlib.metadata.version(n)] for n in names]))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(first), str(REPO)]))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pairs = json.loads(done.stdout)
    assert all(ours == theirs for ours, theirs in pairs), list(zip(names, pairs, strict=True))
    assert pairs[0][0] == "0.1" and pairs[6][0] == "2.5"
