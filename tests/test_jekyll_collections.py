"""Jekyll collections and the GitHub Pages plugins built in here (jekyll-redirect-from, jekyll-gist,
jemoji), and layout-less documents as Jekyll 4.3 writes them. The fixture tests/sites/jekyll-collections
is built with the real CLI; tests/test_jekyll_differential.py compares it with Jekyll itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.errors import BuildFailed, ConfigError

FIXTURE = Path(__file__).parent / "sites" / "jekyll-collections"
LAYOUT = "<html><body>{{ content }}</body></html>\n"
LIQUID = {"_layouts/default.html": "{% include nav.html %}" + LAYOUT, "_includes/nav.html": "<nav></nav>"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("collections") / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=site, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "collections" not in result.stderr  # collections take effect: no "has no effect" warning
    return site / "_site"


def outputs(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != ".blog-build.json"}


def test_fixture_writes_what_jekyll_writes(built):
    assert outputs(built) == {
        "index.html",
        "plain.html",
        "moved.html",
        "old-menu.html",
        "2024/02/01/gists.html",
        "2024/03/01/bare.html",
        "recipes/soup/index.html",
        "recipes/salad/index.html",
        "recipes/pasta/carbonara/index.html",  # :path keeps the sub-folder
        "recipes/pasta/shopping-list.txt",  # a collection's file without front matter, copied
        "soup.html",  # redirect_from entries
        "old/soup/index.html",
        "pasta.html",
        "redirects.json",
    }  # nothing of _staff (output: false), not even its notes.txt


def test_collection_documents_in_liquid(built):
    index = (built / "index.html").read_text()
    # site.recipes in path order, defaults by type (course: main) under the document's own value
    assert index.index("Carbonara</a> (main, recipes)") < index.index("Green Salad</a> (starter, recipes)")
    assert index.index("Green Salad") < index.index("Tomato Soup</a> (main, recipes)")
    # output: false: not written, but converted for templates, sorted by `order`, unordered last
    assert index.index("Grace, editor") < index.index("Ada, volunteer") < index.index("Alan, volunteer")
    assert "<p>Ada writes the <em>soup</em> recipes.</p>" in index
    assert "posts: 2 documents, output true, in _posts" in index
    assert "staff: 3 documents, output false, in _staff" in index
    assert "Two gists</a> (posts)" in index  # a post's collection is posts
    carbonara = (built / "recipes/pasta/carbonara/index.html").read_text()
    assert "Course: main; from the recipes collection." in carbonara  # layout from defaults by type
    assert 'Next: <a href="/recipes/salad/">Green Salad</a>' in carbonara
    assert "Previous:" not in carbonara
    assert "/recipes/pasta/carbonara/</code>" in carbonara  # page.url in the document's own Liquid


def test_redirect_from_pages_and_redirects_json(built):
    page = (built / "old/soup/index.html").read_text()
    target = "https://example.org/recipes/soup/"
    assert f'<link rel="canonical" href="{target}">' in page
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert (built / "soup.html").read_text() == page
    assert json.loads((built / "redirects.json").read_text()) == {
        "/pasta.html": "https://example.org/recipes/pasta/carbonara/",
        "/soup.html": target,
        "/old/soup/": target,
        "/moved.html": "https://example.com/elsewhere/",
        "/old-menu.html": target,
    }


def test_redirect_to_replaces_the_page(built):
    menu = (built / "old-menu.html").read_text()
    assert "This text is replaced" not in menu
    assert 'url=https://example.org/recipes/soup/"' in menu
    assert 'href="https://example.com/elsewhere/"' in (built / "moved.html").read_text()


def test_gist_is_a_link_without_script(built):
    post = (built / "2024/02/01/gists.html").read_text()
    assert '<a class="gist" href="https://gist.github.com/octocat/6cad326836d38bd3a7ae">' in post
    assert 'href="https://gist.github.com/octocat/6cad326836d38bd3a7ae#file-hello-md"' in post
    assert "<script" not in post


def test_layoutless_page_and_post_are_their_converted_body(built):
    # Jekyll 4.3 puts no layout around a document that names none, even with `default`/`post` layouts
    assert (built / "plain.html").read_text() == (
        "<p>A page with <strong>no layout</strong>: Jekyll writes just its converted body.</p>\n"
    )
    assert (built / "2024/03/01/bare.html").read_text().startswith("<p>This post names")


def test_list_form_default_permalink_and_collections_dir(make_site):
    site = make_site(
        {
            **LIQUID,
            "_config.yml": "collections_dir: my\ncollections: [notes]\npermalink: pretty\n",
            "my/_notes/First Note.md": "---\nlayout: default\n---\nOne",
            "my/_posts/2024-01-02-p.md": "---\nlayout: default\n---\nPost",
            "index.md": "---\n---\n{% for n in site.notes %}{{ n.url }} {{ n.title }};{% endfor %}",
        }
    )
    result = build(BuildOptions(source=site))
    paths = {o.output_path for o in result.outputs}
    # list form: output false by default, so nothing of _notes is written; its URL still exists
    assert not any("note" in p.lower() for p in paths)
    assert "2024/01/02/p/index.html" in paths  # _posts inside collections_dir
    # the title from the file name as Jekyll's titleize_slug makes it (words split at `-` only)
    assert "<p>/notes/First%20Note/ First note;</p>" in (site / "_site/index.html").read_text()


def test_collections_dir_reads_posts_and_drafts_only_from_inside_it(make_site):
    # Expected paths as Jekyll 4.3.1 writes them for this tree (`jekyll build --drafts`): the root
    # `_posts/` and `_drafts/` are plain underscore folders once `collections_dir:` is set.
    site = make_site(
        {
            **LIQUID,
            "_config.yml": "collections_dir: coll\n",
            "_posts/2020-01-01-root.md": "---\nlayout: default\n---\nRoot",
            "_drafts/rootdraft.md": "---\nlayout: default\n---\nRoot draft",
            "coll/_posts/2020-01-02-inner.md": "---\nlayout: default\n---\nInner",
            "coll/_drafts/innerdraft.md": "---\nlayout: default\n---\nInner draft",
            "index.md": "---\n---\n{% for p in site.posts %}{{ p.title }};{% endfor %}",
        }
    )
    result = build(BuildOptions(source=site, drafts=True))
    posts = {o.output_path for o in result.outputs if o.output_path.endswith((".html",)) and o.output_path[0].isdigit()}
    assert {p.rsplit("/", 1)[-1] for p in posts} == {"inner.html", "innerdraft.html"}
    assert "Root" not in (site / "_site/index.html").read_text()


def test_permalink_placeholders_and_date_sorting(make_site):
    site = make_site(
        {
            **LIQUID,
            "_config.yml": (
                "collections:\n  talks:\n    output: true\n    permalink: /t/:year/:name-:slug/:title:output_ext\n"
            ),
            "_talks/b_Talk.md": "---\ndate: 2020-05-01\nslug: My Slug\n---\nB",
            "_talks/a.md": "---\ndate: 2021-01-01\n---\nA",
            "index.md": "---\n---\n{% for t in site.talks %}{{ t.url }};{% endfor %}",
        }
    )
    build(BuildOptions(source=site))
    out = site / "_site"
    assert (out / "t/2020/b-talk-my-slug/My-Slug.html").is_file()
    assert (out / "t/2021/a-a/a.html").is_file()
    # date first (b is older), then path
    assert "/t/2020/b-talk-my-slug/My-Slug.html;/t/2021/a-a/a.html;" in (out / "index.html").read_text()


def test_collections_in_jinja_templates(make_site):
    site = make_site(
        {
            "_config.yml": "template_engine: jinja\ncollections:\n  docs:\n    output: true\n",
            "_layouts/default.html": "<html><body>{{ content }}</body></html>",
            "_docs/intro.md": "---\ntitle: Intro\n---\nHello",
            "index.html": "---\nlayout: default\n---\n{% for d in site.docs %}{{ d.title }}@{{ d.url }}"
            "({{ d.collection }}){% endfor %}|{{ site.collections | map(attribute='label') | join(',') }}",
        }
    )
    result = build(BuildOptions(source=site, write=False))
    index = next(o for o in result.outputs if o.output_path == "index.html").data.decode()
    assert "Intro@/docs/intro.html(docs)|docs,posts" in index
    assert "docs/intro.html" in {o.output_path for o in result.outputs}


def test_jemoji_writes_unicode_and_leaves_code_alone(make_site):
    site = make_site(
        {
            **LIQUID,
            "_config.yml": "plugins: [jemoji]\n",
            "index.md": "---\nlayout: default\n---\nGreat :tada: :+1: and `:smile:` stays; :no_such_emoji: too\n\n"
            "```\n:smile:\n```\n",
        }
    )
    build(BuildOptions(source=site))
    page = (site / "_site/index.html").read_text()
    assert "Great 🎉 👍 and" in page
    assert ":smile:</code>" in page
    assert page.count(":smile:") == 2  # the code span and the fenced block
    assert ":no_such_emoji:" in page
    assert "<img" not in page and "githubassets" not in page


def test_without_the_plugins_nothing_happens(make_site):
    files = {**LIQUID, "index.md": "---\nlayout: default\nredirect_from: /old/\n---\nHi :tada:\n"}
    site = make_site({**files, "_config.yml": "title: x\n"})
    result = build(BuildOptions(source=site, write=False))
    paths = {o.output_path for o in result.outputs}
    assert "old/index.html" not in paths and "redirects.json" not in paths
    assert ":tada:" in next(o for o in result.outputs if o.output_path == "index.html").data.decode()
    (site / "gist.md").write_text("---\n---\n{% gist a/1 %}\n")
    with pytest.raises(BuildFailed) as failed:  # jekyll-gist not named: an unknown tag, as in Jekyll
        build(BuildOptions(source=site, write=False))
    assert "gist.md:3: Liquid syntax error: unexpected tag 'gist'" in str(failed.value.errors[0])


def test_redirects_json_can_be_turned_off_and_redirects_skip_sitemap(make_site):
    site = make_site(
        {
            **LIQUID,
            "_config.yml": "url: https://x.org\nplugins: [jekyll-redirect-from, jekyll-sitemap]\n"
            "redirect_from:\n  json: false\n",
            "a.md": "---\nlayout: default\nredirect_from: [old]\n---\nA",
            "b.md": "---\nlayout: default\nredirect_to: /a.html\n---\nB",
        }
    )
    result = build(BuildOptions(source=site))
    paths = {o.output_path for o in result.outputs}
    assert "redirects.json" not in paths and "old.html" in paths  # `/old` is written as old.html
    sitemap = (site / "_site/sitemap.xml").read_text()
    assert "https://x.org/a.html" in sitemap
    assert "b.html" not in sitemap and "old" not in sitemap


def test_redirect_pages_are_in_site_pages_as_in_jekyll(make_site):
    # Exactly what Jekyll 4.3.1 writes for this tree: the site's pages, then one `redirect.html`
    # per `redirect_from:` entry, then redirects.json; each redirect with `sitemap: false` (the
    # sitemap skipping them: test_redirects_json_can_be_turned_off_and_redirects_skip_sitemap).
    site = make_site(
        {
            **LIQUID,
            "_config.yml": "url: https://x.org\nplugins: [jekyll-redirect-from]\n",
            "index.html": "---\nredirect_from: [/old/, /older.html]\n---\n"
            "{% for p in site.pages %}[{{ p.url }}|{{ p.sitemap }}|{{ p.redirect.to }}]{% endfor %}\n"
            '{% assign r = site.pages | where: "name", "redirect.html" %}'
            "{% for p in r %}[{{ p.dir }}|{{ p.layout }}|{{ p.redirect.from }}]{% endfor %}"
            '{% assign j = site.pages | where: "name", "redirects.json" %}{{ j[0].dir }} {{ j[0].content }}',
            "away.md": "---\nredirect_to: https://example.com/\n---\nx",
        }
    )
    build(BuildOptions(source=site))
    assert (site / "_site/index.html").read_text() == (
        "[/away.html|false|https://example.com/][/||][/old/|false|https://x.org/]"
        "[/older.html|false|https://x.org/][/redirects.json||]\n"
        "[/old/|redirect|/old/][/|redirect|/older.html]"
        '/ {"/away.html":"https://example.com/","/old/":"https://x.org/","/older.html":"https://x.org/"}'
    )


def test_a_site_redirect_layout_is_used(make_site):
    site = make_site(
        {
            **LIQUID,
            "_config.yml": "plugins: [jekyll-redirect-from]\nbaseurl: /b\n",
            "_layouts/redirect.html": "GO {{ page.redirect.from }} -> {{ page.redirect.to }}",
            "a.md": "---\nlayout: default\nredirect_from: [/x/]\n---\nA",
            "c.md": "---\nredirect_to: /a.html\n---\nC",
        }
    )
    build(BuildOptions(source=site))
    assert (site / "_site/x/index.html").read_text() == "GO /x/ -> /b/a.html"  # no url: site-relative
    assert (site / "_site/c.html").read_text() == "GO /c.html -> /b/a.html"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("collections: 5\n", "collections: expected a mapping or a list"),
        ("collections: [a/b]\n", "collections: a collection's label"),
        ("collections:\n  x: [1]\n", "x: expected a mapping"),
        ("collections_dir: ../out\n", "collections_dir: must be a folder inside the site"),
        ("defaults:\n  - scope: {type: nope}\n    values: {a: 1}\n", "scope type must be"),
    ],
)
def test_bad_collection_settings_are_one_line_errors(make_site, config, message):
    site = make_site({**LIQUID, "_config.yml": config, "index.md": "---\n---\nx"})
    with pytest.raises(ConfigError, match=message) as error:
        build(BuildOptions(source=site, write=False))
    assert "_config.yml:" in str(error.value)
