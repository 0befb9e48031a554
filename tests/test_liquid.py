"""Jekyll sites built unchanged: engine choice, Liquid with Jekyll's filters and tags, kramdown
input, Jekyll-mode generated pages, confinement and limits. The fixture tests/sites/jekyll-blog is
built with the real CLI (`blog build`); tests/test_jekyll_differential.py compares it with Jekyll."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.config import load_config
from generator.errors import BuildFailed

FIXTURE = Path(__file__).parent / "sites" / "jekyll-blog"


def blog(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    site = tmp_path_factory.mktemp("jekyll") / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    result = blog("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "_site", result


def test_fixture_builds_the_paths_jekyll_writes(built):
    out, result = built
    paths = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != ".blog-build.json"}
    assert paths == {
        "index.html",
        "page2/index.html",
        "about/index.html",
        "archive.html",
        "news/2024/01/05/hello-world.html",
        "math/2024/02/10/math.html",
        "2024/03/15/third.html",
        "assets/style.css",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
    }  # no archive/, tags/, 404, highlight CSS: Jekyll makes none of them; no README, no draft
    assert "Liquid templates (Jekyll site)" in result.stdout


def test_includes_layout_chain_and_jekyll_variables(built):
    out, _ = built
    post = (out / "news/2024/01/05/hello-world.html").read_text()
    assert '<main class="post">' in post  # layout.* of the inner layout in the outer one
    assert "<h1>Hello, world</h1>" in post and "tagged intro and python" in post
    assert 'datetime="2024-01-05T00:00:00+00:00"' in post
    assert "© 2024 Ada Lovelace" in post  # include parameter read as include.year
    assert '<a href="/blog/about/">About</a>' in post
    assert '<link rel="canonical" href="https://example.org/blog/news/2024/01/05/hello-world.html" />' in post
    assert '<link type="application/atom+xml" rel="alternate" href="https://example.org/blog/feed.xml"' in post
    assert 'class="language-python"' in post and '<span class="k">def</span>' in post  # {% highlight %}


def test_liquid_in_bodies_before_markdown(built):
    out, _ = built
    about = (out / "about/index.html").read_text()
    assert 'class="active"' in about  # include param compared with page.url
    assert 'href="/blog/news/2024/01/05/hello-world.html"' in about  # post_url in a markdown link
    assert 'href="/blog/archive.html"' in about  # link
    assert "<em>markdown</em>" in about  # markdownify in an include
    assert "Liquid like {{ this }} is shown as is." in about  # raw
    assert 'id="intro"' in about and 'class="lead"' in about  # kramdown attribute list
    assert 'href="#background"' in about  # {:toc}
    assert "“Quotes” – and dashes —" in html.unescape(about)  # kramdown's typographic quotes


def test_kramdown_math_rules(built):
    out, _ = built
    math = (out / "math/2024/02/10/math.html").read_text().partition("<article>")[2]
    assert "price of $5 or $10" in math  # a single dollar is never math in kramdown
    inline, _, display = math.partition("price")
    assert "<math" in inline and 'display="block"' not in inline.split("Kramdown math")[1]
    assert '<math display="block"' in display
    assert '<abbr title="HyperText Markup Language">HTML</abbr>' in math


def test_filters_and_pagination(built):
    out, _ = built
    archive = (out / "archive.html").read_text()
    assert "Tags: intro (1) python (2) math (1) code (1)" in archive  # Jekyll's order
    assert "Python posts: 2" in archive and "First post about math: Some math" in archive
    assert "(15 March 2024)" in archive
    home, second = (out / "index.html").read_text(), (out / "page2/index.html").read_text()
    assert "Page 1 of 2" in home and 'href="/blog/page2"' in home and "Hello, world" not in home
    assert "Page 2 of 2" in second and "Hello, world" in second and "<title>Page 2 of 2 for Home" in second
    assert "<loc>https://example.org/blog/page2/</loc>" in (out / "sitemap.xml").read_text()


def test_drafts_only_with_the_flag(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    assert blog("build", "--drafts", cwd=site).returncode == 0
    assert "Unfinished draft" in (site / "_site/index.html").read_text()


def test_engine_choice_and_markdown_string(make_site):
    jinja = make_site({"_layouts/default.html": "{{ content }}", "index.md": "---\n---\nHi\n"})
    assert load_config(jinja).values["template_engine"] == "jinja"
    liquid = make_site({"_layouts/default.html": "{% include head.html %}{{ content }}", "_includes/head.html": ""})
    config = load_config(liquid)
    assert config.values["template_engine"] == "liquid"
    assert config.markdown["dialect"] == "kramdown" and not config.generates("archive")
    forced = make_site(
        {"_config.yml": "template_engine: jinja\nmarkdown: kramdown\n", "_layouts/x.html": "{% include a.html %}"}
    )
    config = load_config(forced)
    assert config.values["template_engine"] == "jinja" and config.markdown["dialect"] == "kramdown"
    assert config.generates("archive")  # a Jinja site keeps this generator's pages


def test_unknown_plugins_and_inert_keys_warn_once(make_site):
    site = make_site(
        {
            "_config.yml": "plugins: [jekyll-feed, jekyll-archives]\nlsi: true\n",
            "_layouts/default.html": "{{ content | prepend: '' }}",
            "index.md": "---\nlayout: default\n---\nHi\n",
        }
    )
    result = build(BuildOptions(source=site, write=False))
    messages = [str(w) for w in result.warnings]
    assert any("_config.yml:1: plugins: plugin 'jekyll-archives' is not built in" in m for m in messages), messages
    assert any("_config.yml:2: lsi: has no effect here" in m for m in messages), messages
    assert {o.output_path for o in result.outputs} == {"index.html", "feed.xml"}


@pytest.mark.parametrize(
    "body, message",
    [
        ("{% include ../_config.yml %}", "is not a file of _includes/"),
        ("{% include_relative ../../etc/passwd %}", "include_relative reads files inside the site only"),
        ("{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}", "loop iteration limit"),
        ("{{ 'x' | no_such_filter }}", "no_such_filter"),
    ],
)
def test_confinement_limits_and_errors_are_located(make_site, body, message):
    site = make_site(
        {
            "_config.yml": "template_engine: liquid\njinja_limits:\n  loop_iterations: 1000\n",
            "_includes/a.html": "",
            "index.md": f"---\n---\nline two\n{body}\n",
        }
    )
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(source=site, write=False))
    text = str(failed.value.errors[0])
    assert text.startswith("index.md:"), text
    assert message in text, text


def test_layout_none_and_layout_loops(make_site):
    site = make_site(
        {
            "_config.yml": "template_engine: liquid\n",
            "_layouts/a.html": "---\nlayout: b\n---\nA{{ content }}",
            "_layouts/b.html": "---\nlayout: a\n---\nB{{ content }}",
            "raw.html": "---\nlayout: none\n---\n{{ page.title | default: 'bare' }}",
            "loop.html": "---\nlayout: a\n---\nx",
        }
    )
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(source=site, write=False))
    assert "layout loop: a -> b -> a" in str(failed.value.errors[0])
    (site / "loop.html").unlink()
    result = build(BuildOptions(source=site, write=False))
    assert next(o for o in result.outputs if o.output_path == "raw.html").data == b"bare"
