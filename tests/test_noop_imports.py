"""A no-op `blog build` in a new process (issue #19), counted rather than timed: which modules it
imports and which of the site's files it opens. Nothing is rendered, so neither Jinja nor libsass
is needed; no plugin is installed and the highlight stylesheet is known, so neither
importlib.metadata (and `email`) nor Pygments is either; the config's and layouts' YAML comes
parsed from .blog-cache/, so PyYAML is not imported; and no post is opened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_build_work_counts import make_site

REPO = Path(__file__).resolve().parents[1]
# Not imported by a no-op build (each was, before: state.py imported Jinja; layouts were loaded by
# the Jinja module; the plugin lookup and converter versions used importlib.metadata; the highlight
# stylesheet was made with Pygments' formatter and style registry every build).
NOT_FOR_A_NOOP = ("jinja2", "sass", "importlib.metadata", "email", "pygments", "markdown", "latex2mathml", "yaml")

PROBE = """
import atexit, json, os, runpy, sys
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.append(os.path.relpath(os.path.abspath(args[0]), os.getcwd()))
sys.addaudithook(hook)
# What `python -m generator` runs; it leaves with os._exit, after the atexit callbacks.
atexit.register(lambda: print(json.dumps({"modules": sorted(sys.modules), "opened": opened})))
sys.argv = ["blog", "build", "--quiet"]
runpy.run_module("generator", run_name="__main__")
"""


def probed_build(site: Path) -> dict[str, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=site, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def loaded(modules: list[str]) -> list[str]:
    return sorted(name for name in NOT_FOR_A_NOOP if name in modules)


def test_a_noop_build_imports_no_template_engine_metadata_or_highlighter(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "_posts/2020-01-01-p0.md").write_text("---\ntitle: P0\n---\nMath $x^2$ and\n\n```python\nx = 1\n```\n")
    cold = probed_build(site)
    assert {"jinja2", "pygments", "markdown"} <= set(cold["modules"])  # the probe sees what a build imports
    noop = probed_build(site)
    assert loaded(noop["modules"]) == []
    assert [path for path in noop["opened"] if path.startswith("_posts/")] == []
    # The stylesheet came from .blog-cache/, byte for byte what Pygments makes.
    assert (site / "_site/assets/css/highlight.css").stat().st_mtime_ns < (
        site / "_site/.blog-build.json"
    ).stat().st_mtime_ns
    from generator.render.generated import scheme_highlight_css

    css = (site / "_site/assets/css/highlight.css").read_text()
    assert css == scheme_highlight_css("default", "github-dark")


def test_a_noop_build_under_the_cmark_engine_imports_no_converter(tmp_path: Path) -> None:
    """The cache key names the engine's rules (markup.CMARK_RULES) without importing the engine,
    which imports cmarkgfm, Python-Markdown and Pygments."""
    site = make_site(tmp_path / "site")
    (site / "_config.yml").write_text("title: Counts\nmarkdown:\n  engine: cmark\n")
    cold = probed_build(site)
    assert {"cmarkgfm", "markdown", "pygments"} <= set(cold["modules"])
    noop = probed_build(site)
    assert loaded(noop["modules"]) == [] and "cmarkgfm" not in noop["modules"]
    assert not any(name.startswith("generator.render.cmark") for name in noop["modules"])


def test_an_edit_renders_with_jinja_and_a_new_style_is_made_again(tmp_path: Path) -> None:
    """The lazy paths still run when needed: an edited post is rendered (Jinja imported), and a
    changed style name makes the stylesheet again rather than reusing the stored one."""
    site = make_site(tmp_path / "site")
    probed_build(site)
    post = site / "_posts/2020-01-03-p2.md"
    post.write_text(post.read_text() + "\nEdited.\n")
    edit = probed_build(site)
    assert "jinja2" in edit["modules"] and "sass" not in edit["modules"]
    assert [path for path in edit["opened"] if path.startswith("_posts/")] == ["_posts/2020-01-03-p2.md"]
    assert "Edited." in (site / "_site/2020/01/03/p2.html").read_text()
    (site / "_config.yml").write_text("title: Counts\nmarkdown:\n  highlight_style_light: friendly\n")
    probed_build(site)
    assert (site / "_site/assets/css/highlight.css").read_text().startswith("/* Pygments friendly (light)")


def test_parsed_yaml_is_kept_for_the_config_layouts_and_an_edited_post(tmp_path: Path) -> None:
    """The YAML memo gives what PyYAML gives: a changed config is parsed again; a post edited twice
    with the same front matter is parsed once; a changed front matter is parsed again."""
    site = make_site(tmp_path / "site")
    (site / "_config.yml").write_text("title: Counts\nwhen: 2020-01-02 03:04:05+01:00\nlist: [1, 2.5, null, true]\n")
    post = site / "_posts/2020-01-02-p1.md"  # (a comment: more than plainyaml.py reads, so PyYAML's)
    post.write_text("---\ntitle: P1  # a comment\n---\nPost 1.\n")
    probed_build(site)
    assert "yaml" not in probed_build(site)["modules"]
    post.write_text(post.read_text() + "\nOnce.\n")
    assert "yaml" in probed_build(site)["modules"]  # the cold build did not keep posts' front matter
    post.write_text(post.read_text() + "\nTwice.\n")
    assert "yaml" not in probed_build(site)["modules"]
    post.write_text(post.read_text().replace("title: P1", "title: Renamed"))
    assert "yaml" in probed_build(site)["modules"]
    assert "<h1>Renamed</h1>" in (site / "_site/2020/01/02/p1.html").read_text()
    (site / "_config.yml").write_text("title: Counted  # renamed\n")
    assert "yaml" in probed_build(site)["modules"]
    assert "<nav>Counted</nav>" in (site / "_site/2020/01/01/p0.html").read_text()


def test_the_yaml_memo_keeps_only_values_that_come_back_the_same(tmp_path: Path) -> None:
    import yaml

    from generator.frontmatter import yaml_loader
    from generator.incremental import fragments
    from generator.incremental.yamlmemo import YamlMemo

    texts = [
        "a: 1\nb: [x, {c: 2020-01-02}]\nd: 2020-01-02 03:04:05+01:00\ne: .inf\n3: three\n",
        "s: !!set {a, b}\n",  # a set: not storable, parsed every time
        "",
    ]
    with fragments.kept_in(tmp_path / "cache"):
        memo = YamlMemo()
        for text in texts:
            memo.put(text, yaml.load(text, Loader=yaml_loader()))
        first = memo.get(texts[0])
        assert first == (True, yaml.load(texts[0], Loader=yaml_loader()))
        assert repr(first[1]) == repr(yaml.load(texts[0], Loader=yaml_loader()))
        assert memo.get(texts[0])[1] is not first[1]  # a fresh copy each time
        assert memo.get(texts[1]) == (False, None)
        assert memo.get(texts[2]) == (True, None)


def test_view_fingerprints_stand_on_content_tokens_unless_a_plugin_replaced_the_text(
    tmp_path: Path, monkeypatch
) -> None:
    """A rebuild (fresh state, caches from disk, as a new process) fingerprints each post's view
    by what its HTML was made from, not by hashing the HTML; a post whose content a
    page_rendering plugin replaced, or whose HTML names an image, is hashed in full, and its
    page follows its changes."""
    from generator.build import BuildOptions, build
    from generator.incremental import reuse

    site = make_site(tmp_path / "site")
    (site / "_plugins").mkdir()
    (site / "_plugins/shout.py").write_text(
        "def page_rendering(page, site):\n"
        "    if page['title'] == 'P3':\n"
        "        return {'content': page['content'].replace('Post 3', 'POST 3 SHOUTED')}\n"
    )
    from PIL import Image

    Image.new("RGB", (4, 4)).save(site / "pic.png")
    post = site / "_posts/2020-01-05-p4.md"
    post.write_text("---\ntitle: P4\n---\n![a picture](/pic.png)\n")
    build(BuildOptions(source=site))
    hashed: list[str] = []
    real = reuse.fingerprint_mapping

    def counting(values, skip=()):  # type: ignore[no-untyped-def]
        if "content" not in skip:
            hashed.append(values["title"])
        return real(values, skip)

    monkeypatch.setattr(reuse, "fingerprint_mapping", counting)
    result = build(BuildOptions(source=site))
    assert sorted(hashed) == ["P3", "P4"]  # the replaced content and the image: all others by token
    assert result.report is not None and result.report.written == []
    assert "POST 3 SHOUTED" in (site / "_site/2020/01/04/p3.html").read_text()
    (site / "_plugins/shout.py").write_text((site / "_plugins/shout.py").read_text().replace("SHOUTED", "LOUD"))
    build(BuildOptions(source=site))
    assert "POST 3 LOUD" in (site / "_site/2020/01/04/p3.html").read_text()
