"""Default excludes are only what every site wants (Jekyll's list plus our cache); a site's own
`exclude:` entries are paths from its root; `include:` wins, except for the destination, the
cache and version control."""

from __future__ import annotations

from pathlib import Path

from generator.build import BuildOptions, build

PAGE = "---\ntitle: {title}\n---\n{title}\n"


def published(site: Path) -> set[str]:
    result = build(BuildOptions(source=site))
    return {output.output_path for output in result.outputs}


def test_folders_named_like_tooling_are_published_by_default(make_site) -> None:
    site = make_site(
        {
            "tests/index.md": PAGE.format(title="Tests"),
            "scripts/index.md": PAGE.format(title="Scripts"),
            "docs/tests/index.md": PAGE.format(title="Doc tests"),
            "bench/data.csv": "a,b\n",
            "README.md": "# readme\n",
            "node_modules/x/index.js": "x",
            "vendor/bundle/gem.rb": "x",
            "Gemfile": "source 'https://rubygems.org'\n",
        }
    )
    outputs = published(site)
    assert {"tests/index.html", "scripts/index.html", "docs/tests/index.html", "bench/data.csv", "README.md"} <= outputs
    assert not any(path.startswith(("node_modules/", "vendor/bundle/")) or path == "Gemfile" for path in outputs)


def test_excludes_match_from_the_root_and_as_globs(make_site) -> None:
    site = make_site(
        {
            "_config.yml": "exclude: [tests, '*.log', drafts/old]\n",
            "tests/index.md": PAGE.format(title="Tests"),
            "docs/tests/index.md": PAGE.format(title="Doc tests"),
            "a.log": "x",
            "deep/b.log": "x",
            "drafts/old/x.md": PAGE.format(title="Old"),
            "drafts/new/x.md": PAGE.format(title="New"),
        }
    )
    outputs = published(site)
    assert "docs/tests/index.html" in outputs and "drafts/new/x.html" in outputs
    assert not {"tests/index.html", "a.log", "deep/b.log", "drafts/old/x.html"} & outputs


def test_include_wins_over_exclude_and_hidden_names(make_site) -> None:
    site = make_site(
        {
            "_config.yml": "exclude: [docs]\ninclude: [docs/keep.md, .well-known, node_modules/lib]\n",
            "docs/keep.md": PAGE.format(title="Keep"),
            "docs/drop.md": PAGE.format(title="Drop"),
            ".well-known/security.txt": "Contact: mailto:a@example.com\n",
            "node_modules/lib/x.js": "x",
        }
    )
    outputs = published(site)
    assert {"docs/keep.html", ".well-known/security.txt"} <= outputs
    assert "docs/drop.html" not in outputs
    assert "node_modules/lib/x.js" not in outputs, "caches and vendored packages are pruned whatever include says"


def test_include_never_publishes_the_cache_the_output_or_git(make_site) -> None:
    site = make_site(
        {
            "_config.yml": "include: [.blog-cache, _site, .git]\n",
            "index.md": PAGE.format(title="Home"),
            ".git/config": "[core]\n",
        }
    )
    build(BuildOptions(source=site))
    outputs = published(site)  # second build: .blog-cache and _site now exist
    assert not any(path.startswith((".blog-cache", "_site", ".git")) for path in outputs), outputs
