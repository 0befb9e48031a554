"""Sass pages (render/sass_pages.py), Jekyll gem themes (load/theme.py) and kramdown's heading ids
and attribute lists (render/kramdown.py). Jekyll itself is compared in test_jekyll_differential.py
(fixture tests/sites/jekyll-minima); these are the rules and the refusals, built for real."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.config import MARKDOWN_DEFAULTS, load_config
from generator.errors import BuildFailed, ConfigError
from generator.load.theme import gem_dir
from generator.render.markup import render_markdown

LIQUID = "template_engine: liquid\n"
LAYOUT = {"_layouts/default.html": "<html><body>{{ content }}</body></html>\n"}


def failure(site: Path) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        build(BuildOptions(source=site, write=False))
    return caught.value.lines()


def outputs(site: Path) -> dict[str, bytes | None]:
    result = build(BuildOptions(source=site, write=False))
    return {o.output_path: o.data for o in result.outputs}


# -- Sass -----------------------------------------------------------------------------------------
def test_sass_page_compiles_with_partials_and_style(make_site):
    site = make_site(
        {
            "_config.yml": LIQUID + "sass:\n  style: expanded\n",
            **LAYOUT,
            "assets/site.scss": '---\n---\n$c: #123456;\n@import "parts/colours";\n.a { .b { color: $c; } }\n',
            "_sass/parts/_colours.scss": ".p { color: darken(#ffffff, 10%); }\n",
            "assets/plain.scss": ".not-compiled { x: $y; }\n",  # no front matter: copied, as Jekyll does
        }
    )
    built = outputs(site)
    css = built["assets/site.css"].decode()
    assert css == ".p {\n  color: #e6e6e6;\n}\n\n.a .b {\n  color: #123456;\n}\n"
    assert "assets/site.scss" not in built and "assets/plain.scss" in built
    assert not any(path.startswith("_sass") for path in built)


def test_sass_style_compressed_and_liquid_first(make_site):
    site = make_site(
        {
            "_config.yml": LIQUID + "title: T\nsass:\n  style: compressed\n",
            **LAYOUT,
            "main.scss": "---\n---\n/* {{ site.title }} */\n.a { width: {{ 2 | plus: 3 }}px; }\n",
        }
    )
    assert outputs(site)["main.css"] == b".a{width:5px}\n"


@pytest.mark.parametrize(
    "files, wanted",
    [
        ({"secret.scss": ".s { x: y; }"}, 'assets/site.scss:4: @import "../secret" leaves the Sass folders'),
        ({}, 'assets/site.scss:4: @import "../secret" leaves the Sass folders'),
    ],
)
def test_sass_import_outside_the_sass_folder_is_refused(make_site, files, wanted):
    site = make_site(
        {"_config.yml": LIQUID, **LAYOUT, "assets/site.scss": '---\n---\n.a { b: c; }\n@import "../secret";\n', **files}
    )
    lines = failure(site)
    assert len(lines) == 1 and lines[0].startswith(wanted), lines
    assert "\n" not in lines[0]


def test_sass_refuses_absolute_imports_and_links_out_of_the_folder(make_site, tmp_path):
    outside = tmp_path / "outside.scss"
    outside.write_text(".leak { x: y; }\n")
    site = make_site(
        {
            "_config.yml": LIQUID,
            **LAYOUT,
            "assets/a.scss": f'---\n---\n@import "{outside.with_suffix("")}";\n',
            "assets/b.scss": '---\n---\n@import "linked";\n',
            "_sass/_nested.scss": '.n { a: b; }\n@import "../../outside";\n',
            "assets/c.scss": '---\n---\n@import "nested";\n',
        }
    )
    (site / "_sass" / "_linked.scss").symlink_to(outside)
    lines = failure(site)
    assert any(line.startswith(f'assets/a.scss:3: @import "{outside.with_suffix("")}" leaves') for line in lines)
    assert any(line.startswith('assets/b.scss:3: @import "linked" is not a partial in _sass/') for line in lines)
    assert any(line.startswith('_sass/_nested.scss:2: @import "../../outside" leaves') for line in lines), lines
    assert not any("leak" in line for line in lines)


def test_a_sass_folder_linked_out_of_the_site_is_not_read(make_site, tmp_path):
    """`_sass` itself a link to a folder outside the site: its partials are not importable (the
    config check sees only the name `_sass`, so the resolved folder is checked here)."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "_secret.scss").write_text(".leak { x: y; }\n")
    site = make_site({"_config.yml": LIQUID, **LAYOUT, "assets/a.scss": '---\n---\n@import "secret";\n'})
    (site / "_sass").symlink_to(outside, target_is_directory=True)
    lines = failure(site)
    assert any(line.startswith('assets/a.scss:3: @import "secret" is not a partial') for line in lines), lines
    assert not any("leak" in line for line in lines)


def test_sass_errors_are_one_located_line(make_site):
    site = make_site(
        {
            "_config.yml": LIQUID,
            **LAYOUT,
            "assets/bad.scss": "---\ntitle: x\n---\n.a { b: c; }\n.d { e: $missing; }\n",
            "assets/partial.scss": '---\n---\n@import "broken";\n',
            "_sass/_broken.scss": ".ok { a: b; }\n.x { y: $nope; }\n",
        }
    )
    lines = failure(site)
    assert 'assets/bad.scss:5: Sass: Undefined variable: "$missing".' in lines, lines
    assert '_sass/_broken.scss:2: Sass: Undefined variable: "$nope".' in lines, lines


def test_sass_dir_setting(make_site):
    site = make_site(
        {
            "_config.yml": LIQUID + "sass:\n  sass_dir: css/partials\n  style: compressed\n",
            **LAYOUT,
            "css/style.scss": '---\n---\n@import "base";\n',
            "css/partials/_base.scss": "body { margin: 0; }\n",
        }
    )
    assert outputs(site)["css/style.css"] == b"body{margin:0}\n"


def test_sass_load_paths_come_first_and_stay_in_the_site(make_site, tmp_path):
    # The CSS Jekyll 4.3.1 (jekyll-sass-converter 2.2) writes for this site: a `load_paths:` glob
    # is searched before `_sass`, so its `_x` wins; `_y` still comes from `_sass`.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "_z.scss").write_text(".z { color: black; }\n")
    site = make_site(
        {
            "_config.yml": LIQUID
            + 'sass:\n  style: compressed\n  load_paths: ["lib/*/scss", "link"]\nexclude: [lib]\n',
            "lib/a/scss/_x.scss": ".x { color: blue; }\n",
            "_sass/_x.scss": ".x { color: red; }\n",
            "_sass/_y.scss": ".y { color: green; }\n",
            "assets/main.scss": '---\n---\n@import "x";\n@import "y";\n',
        }
    )
    assert outputs(site)["assets/main.css"] == b".x{color:blue}.y{color:green}\n"
    (site / "link").symlink_to(outside)  # a load path that is a link out of the site: not searched
    (site / "assets/main.scss").write_text('---\n---\n@import "z";\n')
    lines = failure(site)
    assert any('assets/main.scss:3: @import "z" is not a partial in lib/a/scss/ or _sass/' in line for line in lines)


@pytest.mark.parametrize(
    "config, wanted",
    [
        ("sass:\n  sass_dir: ../elsewhere\n", "sass.sass_dir: must be a folder inside the site"),
        ("sass:\n  style: fancy\n", "sass.style: must be one of compact, expanded, compressed, nested"),
        ("sass:\n  load_paths: [lib, ../up]\n", "sass.load_paths: must be a folder inside the site, got '../up'"),
        ("theme: ../../etc\n", "theme: must be the name of an installed gem theme"),
    ],
)
def test_sass_and_theme_settings_are_checked(make_site, config, wanted):
    site = make_site({"_config.yml": LIQUID + config, **LAYOUT})
    with pytest.raises(ConfigError, match=wanted):
        load_config(site)


# -- gem themes -----------------------------------------------------------------------------------
def test_missing_gem_theme_names_missing_layouts(make_site):
    site = make_site(
        {
            "_config.yml": "theme: no-such-theme-here\n",
            **LAYOUT,
            "_posts/2024-01-01-a.md": "---\nlayout: post\ntitle: A\n---\nHi\n",
            "about.md": "---\nlayout: page\n---\nMe\n",
            "index.md": "---\nlayout: default\n---\nHome\n",
        }
    )
    lines = failure(site)
    assert lines[0] == (
        "_config.yml:1: theme: the gem theme 'no-such-theme-here' is not installed on this machine; "
        "layouts missing: page, post; install it (`gem install no-such-theme-here`, or Debian's package "
        "jekyll-theme-no-such-theme-here) or copy its _layouts/ and _includes/ into the site"
    ), lines
    # With every layout the site uses present, the build goes on and says it once, as a warning.
    (site / "_posts/2024-01-01-a.md").write_text("---\nlayout: default\ntitle: A\n---\nHi\n")
    (site / "about.md").unlink()
    result = build(BuildOptions(source=site, write=False))
    warnings = [str(w) for w in result.warnings if "theme:" in str(w)]
    assert len(warnings) == 1 and "layouts missing: none" in warnings[0]


def fake_theme(root: Path, version: str, marker: str, name: str = "fake-theme") -> Path:
    gem = root / "gems" / f"{name}-{version}"
    files = {
        "_layouts/default.html": f'<html><body class="{marker}">{{% include nav.html %}}{{{{ content }}}}</body></html>',
        "_layouts/post.html": "---\nlayout: default\n---\n<article>{{ content }}</article>",
        "_includes/nav.html": "<nav>theme nav</nav>{% include footer.html %}",
        "_includes/footer.html": "<footer>theme footer</footer>",
        "_includes/escape.html": "{% include ../../secret.html %}",
        "_sass/fake.scss": "$accent: red !default;\n.accent { color: $accent; }\n",
        "assets/style.scss": '---\n---\n@import "fake";\n',
        "assets/logo.svg": "<svg/>",
    }
    for relative, text in files.items():
        (gem / relative).parent.mkdir(parents=True, exist_ok=True)
        (gem / relative).write_text(text)
    return gem


def test_gem_theme_from_gem_home_site_files_first(make_site, tmp_path, monkeypatch):
    gems = tmp_path / "gemhome"
    fake_theme(gems, "1.2.0", "old")
    newest = fake_theme(gems, "1.10.0", "new")
    monkeypatch.setenv("GEM_HOME", str(gems))
    assert gem_dir("fake-theme") == newest.resolve()  # the newest version, as rubygems picks
    site = make_site(
        {
            "_config.yml": "theme: fake-theme\nsass:\n  style: compressed\n",
            "_includes/footer.html": "<footer>site footer</footer>",
            "_sass/_unused.scss": "",
            "_posts/2024-01-01-a.md": "---\nlayout: post\ntitle: A\n---\nHi\n",
            "assets/logo.svg": "<svg>site</svg>",
        }
    )
    built = outputs(site)
    post = built["2024/01/01/a.html"].decode()
    assert 'class="new"' in post and "<nav>theme nav</nav><footer>site footer</footer>" in post
    assert built["assets/style.css"] == b".accent{color:red}\n"
    assert built["assets/logo.svg"] is None  # the site's own file (a static copy), not the theme's
    origins = build(BuildOptions(source=site, write=False)).origins
    assert origins["assets/logo.svg"] == "assets/logo.svg"


def test_gem_theme_includes_stay_confined(make_site, tmp_path, monkeypatch):
    gems = tmp_path / "gemhome2"
    gem = fake_theme(gems, "1.0.0", "x", "other-theme")  # found gems are remembered per process
    (gem / "_layouts/default.html").write_text("{% include escape.html %}{{ content }}")
    (tmp_path / "secret.html").write_text("SECRET")
    (gems / "secret.html").write_text("SECRET")
    monkeypatch.setenv("GEM_HOME", str(gems))
    site = make_site({"_config.yml": "theme: other-theme\n", "index.md": "---\nlayout: default\n---\nHi\n"})
    lines = failure(site)
    assert any("'../../secret.html' is not a file of _includes/" in line for line in lines), lines
    assert not any("SECRET" in line for line in lines)


def test_gem_theme_data_is_merged_under_the_site_data(make_site, tmp_path, monkeypatch):
    # The `site.data` Jekyll 4.3.1 writes for this theme and site (checked with a gemspec'd copy
    # of the theme on GEM_PATH): the site's mappings deep-merged over the theme's, lists replaced.
    gems = tmp_path / "gemhome3"
    gem = fake_theme(gems, "1.0.0", "x", "data-theme")
    for relative, text in {
        "_data/nav.yml": "a:\n  x: 1\n  y: 2\nt: theme\nl: [1, 2]\n",
        "_data/only.yml": "v: theme-only\n",
        "_data/sub/inner.yml": "v: deep\n",
    }.items():
        (gem / relative).parent.mkdir(parents=True, exist_ok=True)
        (gem / relative).write_text(text)
    monkeypatch.setenv("GEM_HOME", str(gems))
    site = make_site(
        {
            "_config.yml": "theme: data-theme\n",
            "_data/nav.yml": "a:\n  y: 3\nl: [9]\n",
            "index.html": "---\n---\n{{ site.data | jsonify }}",
        }
    )
    assert outputs(site)["index.html"] == (
        b'{"nav":{"a":{"x":1,"y":3},"t":"theme","l":[9]},"only":{"v":"theme-only"},"sub":{"inner":{"v":"deep"}}}'
    )


@pytest.mark.skipif(gem_dir("minima") is None, reason="Debian's jekyll-theme-minima is not installed")
def test_minima_from_the_machine(make_site):
    site = make_site(
        {
            "_config.yml": "title: M\ntheme: minima\n",
            "_posts/2024-01-01-a.md": "---\nlayout: post\ntitle: A\n---\nHi\n",
        }
    )
    built = outputs(site)
    assert 'class="site-header"' in built["2024/01/01/a.html"].decode()
    assert b".site-header" in built["assets/main.css"] and "assets/minima-social-icons.svg" in built
    assert os.path.isdir(Path(gem_dir("minima")) / "_sass")


# -- kramdown ids and attribute lists ----------------------------------------------------------------
def kramdown(text: str, ids: list | None = None) -> str:
    settings = {**MARKDOWN_DEFAULTS, "heading_anchors": False, "dialect": "kramdown"}
    settings["kramdown_ids"] = ids or [True, "", "GFM"]
    return render_markdown(text, settings).html


def test_heading_ids_as_jekyll_gfm_makes_them():
    html = kramdown("# Intro\n\n## Intro\n\n## Intro\n\n## What's new in 2.0?\n\n## Café & crème\n\n## 3 `code` x\n")
    ids = [part.split('"')[1] for part in html.split("id=")[1:]]
    assert ids == ["intro", "intro-1", "intro-2", "whats-new-in-20", "café--crème", "3-code-x"]


def test_heading_ids_kramdown_parser_prefix_and_off():
    html = kramdown("# 1. Intro\n\n# Intro\n\n# ??\n\n# Café {#own}\n", [True, "p-", "kramdown"])
    assert [part.split('"')[1] for part in html.split("id=")[1:]] == ["p-intro", "p-intro-1", "p-section", "own"]
    assert 'id="intro"' not in kramdown("# Intro\n", [False, "", "GFM"])


def test_attribute_list_definitions_and_block_targets():
    html = kramdown(
        '{:warn: .warning title="careful"}\n{:both: warn .wide}\n\nText.\n{: both #x}\n\n'
        "## Head\n{: .h}\n\n> Quote.\n{: .pull}\n\n- a\n- b\n{: .list}\n\n*em*{: .e}\n\n"
        "```\n{: warn}\n```\n"
    )
    assert '<p class="warning wide" id="x" title="careful">Text.</p>' in html
    assert '<h2 class="h" id="head">Head</h2>' in html
    assert '<blockquote class="pull">' in html and '<ul class="list">' in html
    assert '<em class="e">em</em>' in html
    assert "{: warn}" in html  # fenced code is left alone
    assert "{:warn:" not in html and "{:both:" not in html
