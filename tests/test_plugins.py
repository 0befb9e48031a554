"""Site plugins (generator/plugins.py): every event, located errors, safe mode, and this blog's own
plugins living in `_plugins/` rather than in the generator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.incremental.state import BuildState

FIXTURE = Path(__file__).parent / "sites" / "plugins"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def plugin_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    return site


def run_blog(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=site, capture_output=True, text=True, timeout=120
    )


def test_a_plugin_sees_every_event_and_changes_the_site(plugin_site: Path) -> None:
    result = build(BuildOptions(source=plugin_site))
    site = plugin_site / "_site"
    first = (site / "2020" / "01" / "01" / "first" / "index.html").read_text("utf-8")
    # config_loaded added a key but could not override the user's title
    assert '<p class="motto">plugged in</p>' in first
    assert result.config.title == "Plugin fixture"
    # site_loaded: data, a replaced document, an extra file
    assert "<title>First post, retitled</title>" in first
    assert '<p class="words">5</p>' in first
    assert json.loads((site / "stats" / "words.json").read_text("utf-8")) == {"total": 5}
    # page_rendering saw the replaced title
    assert '<p class="shout">FIRST POST, RETITLED</p>' in first
    # build_finished saw every page and added a file, written with the rest
    listed = (site / "all-pages.txt").read_text("utf-8").splitlines()
    assert "/2020/01/01/first/" in listed and "/2020/01/02/second/" in listed
    marker = json.loads((site / ".blog-build.json").read_text("utf-8"))
    assert "all-pages.txt" in json.dumps(marker)


def test_plugin_values_take_part_in_incremental_rebuilds(plugin_site: Path) -> None:
    """An edit a plugin reacts to (word count) re-renders every page that shows it, as a clean build."""
    state = BuildState()
    build(BuildOptions(source=plugin_site), state=state)
    post = plugin_site / "_posts" / "2020-01-02-second.md"
    post.write_text(post.read_text("utf-8").replace("Four five.", "Four five six seven."), "utf-8")
    build(BuildOptions(source=plugin_site), state=state)
    first = (plugin_site / "_site" / "2020" / "01" / "01" / "first" / "index.html").read_text("utf-8")
    assert '<p class="words">7</p>' in first
    clean = plugin_site.parent / "clean"
    build(BuildOptions(source=plugin_site, destination=clean))
    assert (clean / "2020/01/01/first/index.html").read_bytes() == (
        plugin_site / "_site/2020/01/01/first/index.html"
    ).read_bytes()


@pytest.mark.parametrize(
    ("event", "code", "line"),
    [
        ("import", "x = 1\nraise RuntimeError('broken at import')\n", 2),
        ("config_loaded", "def config_loaded(config):\n    return 1 / 0\n", 2),
        ("site_loaded", "def site_loaded(site):\n    pass\n    site.add_file('x.txt', 'not bytes')\n", 3),
        ("page_rendering", "def page_rendering(page, site):\n    return page['no such key']\n", 2),
        ("build_finished", "def build_finished(build):\n\n    build.missing()\n", 3),
    ],
)
def test_a_failing_plugin_is_a_located_error(plugin_site: Path, event: str, code: str, line: int) -> None:
    (plugin_site / "_plugins" / "every_event.py").unlink()
    (plugin_site / "_plugins" / "broken.py").write_text(code, "utf-8")
    result = run_blog(plugin_site, "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"_plugins/broken.py:{line}: plugin failed in {event}: " in result.stderr
    assert not (plugin_site / "_site").exists()


def test_a_plugin_syntax_error_is_located(plugin_site: Path) -> None:
    (plugin_site / "_plugins" / "broken.py").write_text("def site_loaded(site)\n    pass\n", "utf-8")
    result = run_blog(plugin_site, "build")
    assert result.returncode == 1 and "_plugins/broken.py:1: syntax error" in result.stderr


def test_a_plugin_can_report_its_own_located_errors(plugin_site: Path) -> None:
    (plugin_site / "_plugins" / "checker.py").write_text(
        "from generator.errors import GeneratorError\n"
        "def site_loaded(site):\n"
        "    raise GeneratorError('no unicorns allowed', '_posts/2020-01-01-first.md', 4)\n",
        "utf-8",
    )
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(source=plugin_site))
    assert "_posts/2020-01-01-first.md:4: no unicorns allowed" in failure.value.lines()


@pytest.mark.parametrize("how", ["flag", "config"])
def test_safe_mode_loads_no_plugin_and_says_which_were_skipped(plugin_site: Path, how: str) -> None:
    marker = plugin_site / "ran.txt"
    (plugin_site / "_plugins" / "side_effect.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('plugin code ran')\n", "utf-8"
    )
    if how == "config":
        with (plugin_site / "_config.yml").open("a", encoding="utf-8") as handle:
            handle.write("safe: true\n")
    result = run_blog(plugin_site, "build", *(["--safe"] if how == "flag" else []))
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "safe mode must never import a plugin"
    assert "_plugins/every_event.py: plugin not run: --safe" in result.stderr
    assert "_plugins/side_effect.py: plugin not run: --safe" in result.stderr
    assert not (plugin_site / "_site" / "all-pages.txt").exists()


def test_this_blogs_demo_data_comes_from_its_own_plugins() -> None:
    """Nothing in generator/ names a demo of this blog: its t-SNE and ILSVRC code are plugins."""
    for path in (REPO / "generator").rglob("*.py"):
        text = path.read_text("utf-8").lower()
        for name in ("tsne", "t-sne", "ilsvrc"):
            assert name not in text, f"{path.relative_to(REPO)} names this blog's demo {name!r}"
    assert (REPO / "_plugins" / "tsne_posts.py").is_file() and (REPO / "_plugins" / "ilsvrc_labelsets.py").is_file()


def test_the_site_builds_the_posts_dataset_only_through_its_plugin(tmp_path: Path) -> None:
    """With the plugin removed (safe mode), the t-SNE bundle has no posts dataset."""
    result = build(BuildOptions(source=REPO, destination=tmp_path / "safe", safe=True))
    assert not any(o.output_path.endswith("posts.json") and "tsne" in o.output_path for o in result.outputs)
    assert any(str(w).startswith("_plugins/tsne_posts.py: plugin not run") for w in result.warnings)


def test_an_installed_plugin_runs_and_safe_mode_names_it(plugin_site: Path, tmp_path: Path, monkeypatch) -> None:
    """A package registering a module under the `blog.plugins` entry-point group is loaded like a
    `_plugins/` file; --safe does not import it and names it."""
    installed = tmp_path / "installed"
    (installed / "stamp_plugin-1.0.dist-info").mkdir(parents=True)
    (installed / "stamp_plugin-1.0.dist-info" / "METADATA").write_text("Name: stamp-plugin\nVersion: 1.0\n")
    (installed / "stamp_plugin-1.0.dist-info" / "entry_points.txt").write_text("[blog.plugins]\nstamp = stamp_plugin\n")
    (installed / "stamp_plugin.py").write_text(
        "def build_finished(build):\n    build.add_output('stamp.txt', b'stamped')\n", "utf-8"
    )
    monkeypatch.syspath_prepend(str(installed))
    (plugin_site / "_plugins" / "every_event.py").unlink()
    result = build(BuildOptions(source=plugin_site))
    assert (plugin_site / "_site" / "stamp.txt").read_bytes() == b"stamped"
    assert not result.warnings
    safe = build(BuildOptions(source=plugin_site, destination=tmp_path / "safe", safe=True))
    assert not (tmp_path / "safe" / "stamp.txt").exists()
    assert [str(w) for w in safe.warnings] == ["stamp: plugin not run: --safe (or `safe: true`) builds without plugins"]


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("{{ site.posts.__class__.__mro__ }}", "_layouts/default.html:1: not allowed in a post's Jinja: "),
        (
            "{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}",
            "_layouts/default.html:1: post Jinja exceeded 1000000 loop iterations",
        ),
    ],
    ids=["attribute_escape", "loop_bomb"],
)
def test_safe_mode_sandboxes_layouts_like_post_jinja(plugin_site: Path, layout: str, expected: str) -> None:
    (plugin_site / "_plugins" / "every_event.py").unlink()
    (plugin_site / "_layouts" / "default.html").write_text(layout + "\n{{ content }}\n", "utf-8")
    trusted = run_blog(plugin_site, "build", "--destination", "../trusted")
    assert trusted.returncode in (0, 1) and "not allowed" not in trusted.stderr, "layouts are trusted code by default"
    result = run_blog(plugin_site, "build", "--safe")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def test_the_readme_example_plugin_works(make_site) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Plugins") :]
    code = section[
        section.index("```python\n") + len("```python\n") : section.index("```\n", section.index("```python"))
    ]
    site = make_site(
        {
            "_plugins/word_count.py": code,
            "_layouts/default.html": "{{ content }}|{{ site.data.words.total }}|{{ page.long_read }}\n",
            "_posts/2020-01-01-a.md": "---\ntitle: A\nlayout: default\n---\none two three\n",
        }
    )
    result = build(BuildOptions(source=site))
    page = next(o for o in result.outputs if o.output_path.endswith("a.html")).read().decode()
    assert "|3|False" in page
    assert json.loads(next(o for o in result.outputs if o.output_path == "words.json").read()) == {"total": 3}
