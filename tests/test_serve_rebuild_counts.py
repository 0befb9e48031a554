"""What one edit costs inside `blog serve` (SiteRebuilder, state kept between rebuilds), counted,
not timed: after a one-post edit the write phase hashes and writes only outputs whose bytes
changed (or that were rendered again), stats and resolves nothing per unchanged output, and the
source tree is not walked again; these counts do not grow with the number of posts. Every rebuild
still gives exactly the tree a clean build gives."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from generator import assemble
from generator.build import BuildOptions, build
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet
from generator.write import output as output_module
from generator.write import spool as spool_module
from tests.conftest import output_tree


def make_site(root: Path, posts: int) -> Path:
    """The packaged theme: home, archive, tag pages, feed and sitemap all list posts."""
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Counts\n")
    for n in range(posts):
        body = f"Post {n} opens.\n\nMore *text* {n}, with `code`.\n"
        day = f"2020-{n // 28 + 1:02d}-{n % 28 + 1:02d}"
        (root / f"_posts/{day}-p{n}.md").write_text(f"---\ntitle: P{n}\ntags: [t{n % 4}]\n---\n{body}")
    return root


class Spy:
    """Counts calls of the real functions the write phase uses per output; they still run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        self.hashed: list[int] = []  # sizes of the byte strings hashed for output digests
        for module in (spool_module, output_module):
            self._wrap(monkeypatch, module, "stat_key", f"stat_key:{module.__name__}")
        real_digest = spool_module.digest_of

        def digest_of(data: bytes) -> str:
            self.hashed.append(len(data))
            return real_digest(data)

        monkeypatch.setattr(spool_module, "digest_of", digest_of)
        self._wrap(monkeypatch, output_module, "_digest", "_digest")
        self._wrap(monkeypatch, os.path, "realpath", "realpath")
        self._wrap(monkeypatch, assemble, "discover", "discover")

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str, label: str) -> None:
        real = getattr(owner, name)

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls[label] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    def reset(self) -> None:
        self.calls.clear()
        self.hashed.clear()


def edit_one_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, posts: int) -> tuple[dict[str, int], set[str]]:
    source = make_site(tmp_path / f"site{posts}", posts)
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok
    spy = Spy(monkeypatch)
    post = sorted((source / "_posts").iterdir())[posts - 3]  # among the feed's newest 20 at both sizes
    before = output_tree(source / "_site")
    post.write_text(post.read_text() + "\nA paragraph added.\n")
    outcome = rebuilder.rebuild(ChangeSet.of([post], source))
    assert outcome.ok, outcome.error_lines
    after = output_tree(source / "_site")
    changed = {path for path in after if before.get(path) != after[path]} | (set(before) - set(after))
    # Exactly the outputs whose bytes changed were written: the post's page and what shows its body.
    assert set(outcome.changed_outputs) == changed
    counts = {**spy.calls, "hashed": len(spy.hashed)}
    monkeypatch.undo()
    assert after == output_tree(build(BuildOptions(source=source, destination=tmp_path / f"clean{posts}")).destination)
    return counts, changed


def test_one_post_edit_touches_only_changed_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, changed_small = edit_one_post(tmp_path, monkeypatch, 24)
    big, changed_big = edit_one_post(tmp_path, monkeypatch, 96)
    # The edited post's page (and the feed, which carries full content) changed; nothing else did.
    assert any(path.endswith("/p21.html") for path in changed_small), changed_small
    assert any(path.endswith("/p93.html") for path in changed_big), changed_big
    assert len(changed_small) <= 3 and len(changed_big) <= 3, (changed_small, changed_big)
    # No full walk of the source tree: the change set proves its shape is the same.
    assert small.get("discover", 0) == 0 and big.get("discover", 0) == 0
    # Four times the posts, the same work in the write phase: an unchanged output (a reused render
    # whose bytes are the very ones written last time) is never hashed, stat'ed or resolved again.
    # (`_digest`: the outputs write_site looks at at all: static files, and the rendered ones hashed.)
    for name in ("hashed", "realpath", "_digest"):
        assert small.get(name, 0) == big.get(name, 0), (name, small, big)
    assert big["hashed"] <= 16, big  # the few pages rendered again (the post, its feed, the sitemap …)
    for counts in (small, big):
        assert counts.get("stat_key:generator.write.spool", 0) <= counts["hashed"], counts
        assert counts.get("stat_key:generator.write.output", 0) <= counts["_digest"], counts


def test_added_and_removed_posts_walk_the_tree_again(tmp_path: Path) -> None:
    """A change set naming a new or deleted file cannot reuse the listing: discovery runs, and the
    result is still the clean build's."""
    source = make_site(tmp_path / "site", 10)
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok
    walks = rebuilder.memory.load.discovered
    new = source / "_posts" / "2021-01-01-new.md"
    new.write_text("---\ntitle: New\n---\nNew post.\n")
    assert rebuilder.rebuild(ChangeSet.of([new], source)).ok
    assert rebuilder.memory.load.discovered == walks + 1
    assert (source / "_site" / "2021/01/01/new.html").exists()
    edited = sorted((source / "_posts").iterdir())[0]
    edited.write_text(edited.read_text() + "\nMore.\n")
    assert rebuilder.rebuild(ChangeSet.of([edited], source)).ok
    assert rebuilder.memory.load.discovered == walks + 1  # an edit in place: the listing is reused
    new.unlink()
    assert rebuilder.rebuild(ChangeSet.of([new], source)).ok
    assert rebuilder.memory.load.discovered == walks + 2
    assert not (source / "_site" / "2021/01/01/new.html").exists()
    clean = build(BuildOptions(source=source, destination=tmp_path / "clean")).destination
    assert output_tree(source / "_site") == output_tree(clean)
