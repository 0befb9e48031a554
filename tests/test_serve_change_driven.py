"""`blog serve` rebuilds driven by what changed (issue #19), counted, not timed: after one edit the
render phase freezes the views of, converts, fingerprints and renders only what the edit touches,
so these counts are the same at 24 and at 96 posts; and the served tree is always the tree a
clean build makes (title, date, tags and body edits, a deletion, an addition)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.incremental import reuse
from generator.render import documents, generated_layout, views
from generator.render.cache import ConversionCache
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet
from tests.conftest import output_tree


def make_site(root: Path, posts: int) -> Path:
    """The packaged theme: home, archive, tag pages and the feed all list posts."""
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Counts\n")
    for n in range(posts):
        (root / post_name(n)).write_text(post_text(n, f"P{n}", [f"t{n % 4}"]))
    return root


def post_name(n: int) -> str:
    return f"_posts/2020-{n // 28 + 1:02d}-{n % 28 + 1:02d}-p{n}.md"


def post_text(n: int, title: str, tags: list[str], extra: str = "") -> str:
    body = f"Post {n} opens.\n\nMore *text* {n}, with `code` and $x^{n % 3}$.\n{extra}"
    return f"---\ntitle: {title}\ntags: [{', '.join(tags)}]\n---\n{body}"


class Counts:
    """Calls of the real functions, which still run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        self._wrap(monkeypatch, views, "freeze", "freeze")  # front matter into view values
        self._wrap(monkeypatch, documents, "render_layout_chain", "page renders")
        self._wrap(monkeypatch, generated_layout, "render_layout_chain", "generated renders")
        self._wrap(monkeypatch, ConversionCache, "get_or_convert", "cache lookups")
        self._wrap(monkeypatch, reuse, "fingerprint_mapping", "view fingerprints")
        self._wrap(monkeypatch, reuse.RenderReuse, "_print_of", "dependency prints")

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str, label: str) -> None:
        real = getattr(owner, name)

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls[label] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


Edit = Callable[[Path, int], Path]  # (source, posts) -> the file changed


def edit_body(source: Path, posts: int) -> Path:
    n = posts // 2
    path = source / post_name(n)
    path.write_text(post_text(n, f"P{n}", [f"t{n % 4}"], "\nA paragraph added.\n"))
    return path


def edit_title(source: Path, posts: int) -> Path:
    n = posts // 2
    path = source / post_name(n)
    path.write_text(post_text(n, f"Retitled {n}", [f"t{n % 4}"]))
    return path


def edit_tags(source: Path, posts: int) -> Path:
    n = posts // 2
    path = source / post_name(n)
    path.write_text(post_text(n, f"P{n}", [f"t{n % 4}", "fresh"]))
    return path


def edit_date(source: Path, posts: int) -> Path:
    """The post moves a few places back in the list (new neighbours, same listing pages)."""
    n = posts // 2
    path = source / post_name(n)
    path.write_text(post_text(n, f"P{n}", [f"t{n % 4}"]).replace("---\n", "---\ndate: 2020-01-01 10:00:00\n", 1))
    return path


@pytest.mark.parametrize("edit", [edit_body, edit_title, edit_tags, edit_date], ids=lambda e: e.__name__)
def test_one_edit_costs_the_same_at_24_and_96_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Edit
) -> None:
    counts = {}
    for posts in (24, 96):
        source = make_site(tmp_path / f"site{posts}", posts)
        rebuilder = SiteRebuilder(BuildOptions(source=source))
        assert rebuilder.rebuild().ok
        spy = Counts(monkeypatch)
        changed = edit(source, posts)
        outcome = rebuilder.rebuild(ChangeSet.of([changed], source))
        monkeypatch.undo()
        assert outcome.ok, outcome.error_lines
        counts[posts] = dict(spy.calls)
        clean = build(BuildOptions(source=source, destination=tmp_path / f"clean{posts}"))
        assert output_tree(source / "_site") == output_tree(clean.destination)
    if edit is not edit_body:
        # A listing page rendered again records a print of each post it shows: that part grows
        # with the posts, as the page itself does. A body edit renders no listing page.
        for posts in counts:
            counts[posts].pop("dependency prints", None)
    assert counts[24] == counts[96], counts
    small = counts[24]
    # The edited post is converted again (body and excerpt looked up), nothing else is.
    assert small["cache lookups"] == 2, small
    assert small.get("view fingerprints", 0) <= 5, small  # the post, and its old and new neighbours
    assert small.get("page renders", 0) <= 5, small  # the post, and its old and new neighbours


def test_a_body_edit_renders_one_page_and_freezes_one_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_site(tmp_path / "site", 40)
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok
    frozen_before = Counts(monkeypatch)
    assert rebuilder.rebuild(ChangeSet.of([source / post_name(0)], source)).ok  # touched, not changed
    monkeypatch.undo()
    spy = Counts(monkeypatch)
    outcome = rebuilder.rebuild(ChangeSet.of([edit_body(source, 40)], source))
    monkeypatch.undo()
    assert outcome.ok
    # One view's front matter frozen more than for a no-op (its title, tags, description …).
    assert 0 < spy.calls["freeze"] - frozen_before.calls["freeze"] <= 6, (spy.calls, frozen_before.calls)
    assert spy.calls["page renders"] == 1 and spy.calls.get("generated renders", 0) == 0, spy.calls
    assert outcome.result is not None and outcome.result.converted == 1


def test_edit_sequence_equals_a_clean_build_after_every_step(tmp_path: Path) -> None:
    posts = 24
    source = make_site(tmp_path / "site", posts)
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok

    def delete(source: Path, posts: int) -> Path:
        path = source / post_name(3)
        path.unlink()
        return path

    def add(source: Path, posts: int) -> Path:
        path = source / "_posts/2020-01-15-added.md"
        path.write_text(post_text(99, "Added", ["t1", "t2"]))
        return path

    def restore(source: Path, posts: int) -> Path:  # the edited post as it was at the start
        n = posts // 2
        path = source / post_name(n)
        path.write_text(post_text(n, f"P{n}", [f"t{n % 4}"]))
        return path

    steps: list[Edit] = [edit_title, edit_body, edit_tags, edit_date, delete, add, edit_body, restore]
    for step, change in enumerate(steps):
        changed = change(source, posts)
        outcome = rebuilder.rebuild(ChangeSet.of([changed], source))
        assert outcome.ok, (step, outcome.error_lines)
        clean = build(BuildOptions(source=source, destination=tmp_path / f"clean{step}"))
        assert output_tree(source / "_site") == output_tree(clean.destination), (step, change.__name__)


def test_renders_made_by_a_failed_build_are_checked_in_full_afterwards(tmp_path: Path) -> None:
    """A layout edited while a post is broken: that build fails, yet renders pages with the new
    layout. The edit undone and the post fixed, the layout's print equals the last good build's
    again, so only a full check of those renders (not the short one for records the last good build
    validated) sees they hold the undone layout."""
    source = make_site(tmp_path / "site", 6)
    layout = source / "_layouts" / "page.html"
    layout.parent.mkdir()
    layout.write_text("<main>LAYOUT-V0 {{ content }}</main>\n")
    (source / "about.md").write_text("---\ntitle: About\nlayout: page\n---\nAbout.\n")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok
    broken, good = source / post_name(2), (source / post_name(2)).read_text()
    layout.write_text("<main>LAYOUT-V1 {{ content }}</main>\n")
    broken.write_text("---\ntitle: [unclosed\n---\nBody.\n")
    assert not rebuilder.rebuild(ChangeSet.of([layout, broken], source)).ok
    layout.write_text("<main>LAYOUT-V0 {{ content }}</main>\n")
    broken.write_text(good)
    assert rebuilder.rebuild(ChangeSet.of([layout, broken], source)).ok
    assert "LAYOUT-V0" in (source / "_site/about.html").read_text()
    clean = build(BuildOptions(source=source, destination=tmp_path / "clean"))
    assert output_tree(source / "_site") == output_tree(clean.destination)
