"""A build into a destination it makes spools rendered pages at their place in a staged tree and
commits by moving the tree's top-level entries (write/tree.py, journal.py): still all or nothing.
Each interruption point of the commit is completed by recovery, a failed build leaves nothing,
and a file spooled into the tree but not listed in the end never reaches the site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.render.cache import ConversionCache
from generator.write import journal
from generator.write.journal import TREE_JOURNAL_VERSION, recover
from generator.write.output import Output, digest_of, write_site
from generator.write.safepath import JOURNAL, MARKER, STAGING
from generator.write.tree import StagedTree

from conftest import write_files
from test_crash_safety import kill_test, quiet

FILES = {
    "_config.yml": "title: Tree\n",
    "_posts/2020-01-01-a.md": "---\ntitle: A\ntags: [x]\n---\nA\n",
    "_posts/2020-01-02-b.md": "---\ntitle: B\n---\nB\n",
    "notes/page.md": "---\ntitle: Page\n---\nP\n",
    "assets/site.css": "body {}\n",
}


class Killed(BaseException):
    pass


@pytest.mark.parametrize("steps", [0, 1, 4, 9])
def test_a_first_build_interrupted_while_moving_the_tree_is_completed(tmp_path, monkeypatch, steps: int) -> None:
    source = write_files(tmp_path / "src", FILES)
    reference = tmp_path / "ref"
    quiet(lambda: build(BuildOptions(source=source, destination=reference), cache=ConversionCache()))
    destination = tmp_path / "dest"
    calls = {"n": 0}
    real_replace = journal.os.replace

    def replace(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if (destination / JOURNAL).exists():
            calls["n"] += 1
            if calls["n"] > steps:
                raise Killed
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(journal.os, "replace", replace)
    with pytest.raises(Killed):
        build(BuildOptions(source=source, destination=destination), cache=ConversionCache())
    monkeypatch.undo()
    pending = json.loads((destination / JOURNAL).read_text())
    assert pending["marker_version"] == TREE_JOURNAL_VERSION and pending["renames"] == []
    assert pending["moves"] == sorted(path.name for path in reference.iterdir() if path.name != MARKER)
    assert quiet(lambda: recover(destination))
    assert kill_test.tree(destination) == kill_test.tree(reference)
    assert kill_test.marker_matches_disk(destination)
    assert not (destination / STAGING).exists() and not (destination / JOURNAL).exists()


def test_a_failed_first_build_leaves_no_destination(tmp_path: Path) -> None:
    files = {**FILES, "_posts/2020-01-03-c.md": "---\ntitle: C\npermalink: /2020/01/01/a.html\n---\nC\n"}
    source = write_files(tmp_path / "src", files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(source=source, destination=tmp_path / "dest"))
    assert "written by both" in str(failed.value.errors[0])  # (after every page was spooled)
    assert not (tmp_path / "dest").exists()  # (the tree the pages were spooled into is gone with it)


def test_a_page_spooled_into_the_tree_and_dropped_never_reaches_the_site(tmp_path: Path) -> None:
    destination = tmp_path / "dest"
    tree = StagedTree(destination / STAGING)
    kept, dropped = b"<p>kept</p>", b"<p>dropped</p>"
    assert tree.place("a/index.html", kept) is not None
    assert tree.place("a/dropped.html", dropped) is not None  # (in a folder the commit moves)
    assert tree.place("a/index.html", dropped) is None  # rendered bytes never replace a file
    tree.spooled = 2
    staged = Path(tree.path_of("a/index.html"))
    listed = [Output("/a/", "a/index.html", None, "a.md", None, digest_of(kept), staged)]
    report = write_site(listed, destination, [], {"generator": "blog"}, None, True, frozenset(), tree)
    assert report.written == ["a/index.html"]
    assert (destination / "a/index.html").read_bytes() == kept
    assert not (destination / "a/dropped.html").exists() and not (destination / STAGING).exists()
    assert set(json.loads((destination / MARKER).read_text())["files"]) == {"a/index.html"}


def test_the_spliced_journal_with_moves_is_the_journal_as_json() -> None:
    marker = {"files": {"a/index.html": ["d", 3, 1]}, "marker_version": journal.MARKER_VERSION}
    moves = ["a", 'q"uote', "é"]
    whole = {
        "marker_version": TREE_JOURNAL_VERSION,
        "moves": moves,
        "renames": [["0", "x.html"]],
        "deletions": [],
        "marker": marker,
    }
    assert journal.journal_text([("0", "x.html")], [], journal.dumps(marker), moves) == journal.dumps(whole)


def test_a_tampered_move_is_not_followed(tmp_path: Path) -> None:
    destination = tmp_path / "dest"
    (destination / STAGING / "tree" / "a").mkdir(parents=True)
    (destination / STAGING / "tree" / "a" / "x.html").write_text("x")
    pending = {"marker_version": TREE_JOURNAL_VERSION, "moves": ["a", "../escape", "b/c"], "renames": []}
    (destination / JOURNAL).write_text(json.dumps({**pending, "deletions": [], "marker": {"files": {}}}))
    assert quiet(lambda: recover(destination))
    assert (destination / "a" / "x.html").read_text() == "x"
    assert not (tmp_path / "escape").exists() and not (destination / JOURNAL).exists()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds the killed build's renderers in /proc")
def test_sigkill_of_a_first_build_leaves_nothing_or_the_whole_site(tmp_path: Path) -> None:
    """Real `blog build` subprocesses into a destination they make, SIGKILLed at seeded random
    moments (most while the staged tree is written or moved): after recovery the destination
    holds nothing of the site or all of it, and the next build completes it."""
    import random
    import signal
    import time

    source = kill_test.write_sources(tmp_path / "src", 250, "new")
    reference = tmp_path / "ref"
    kill_test.quiet_build(source, reference)
    whole = kill_test.tree(reference)
    rng, phases = random.Random(8), set()
    for n in range(10):
        destination = tmp_path / f"dest-{n}"
        process = kill_test.spawn(kill_test.World(tmp_path, source, reference, {}, whole), destination)
        if n % 2:  # (during the write phase: from the staging folder's appearance to its removal)
            kill_test.wait_for_staging(process, destination)
        time.sleep(rng.uniform(0, 0.4 if n % 2 else 1.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        orphans_finish(destination)
        phases.add(
            "committed"
            if (destination / JOURNAL).exists()
            else "before"
            if not (destination / MARKER).exists()
            else "done"
        )
        if destination.exists():
            quiet(lambda destination=destination: recover(destination))
        now = kill_test.tree(destination) if destination.exists() else {}
        assert now in ({}, whole), sorted(set(now) ^ set(whole))[:5]
        assert not (destination / STAGING).exists() and not (destination / JOURNAL).exists()
        kill_test.quiet_build(source, destination)
        assert kill_test.tree(destination) == whole and kill_test.marker_matches_disk(destination)
    assert "before" in phases and "done" in phases, phases


def orphans_finish(destination: Path) -> None:
    """Wait for the killed build's forked renderers (render/parallel_pages.py) to be gone: they ask
    for SIGKILL when their parent dies (render/forked.py), but one may still be between its fork
    and that request. Linux: their command line names the destination."""
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        running = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                running.append(str(destination).encode() in cmdline.read_bytes())
            except OSError:
                continue
        if not any(running):
            return
        time.sleep(0.05)
