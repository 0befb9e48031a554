"""The watcher: debouncing into one change set, classification, and what it ignores (our own output,
VCS and cache folders, editors' swap and temp files) — both as units and on a real inotify tree."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.config import load_config
from generator.serve.watch import ChangeSet, Debouncer, SourceWatcher, WatchFilter, classify_change

QUIET = 0.2  # generous: the machine running the tests may be busy; production uses 0.03


# ---- units --------------------------------------------------------------------------------------


def test_debouncer_turns_a_burst_into_one_batch() -> None:
    batches: queue.Queue[set[Path]] = queue.Queue()
    debouncer = Debouncer(batches.put, quiet=0.1)
    try:
        for index in range(100):
            debouncer.add([Path(f"/s/_posts/{index}.md")])
        batch = batches.get(timeout=5)
        assert len(batch) == 100
        with pytest.raises(queue.Empty):
            batches.get(timeout=0.4)
        debouncer.add([Path("/s/a.md")])
        assert batches.get(timeout=5) == {Path("/s/a.md")}
    finally:
        debouncer.stop()


def test_debouncer_flushes_a_never_ending_stream() -> None:
    batches: queue.Queue[set[Path]] = queue.Queue()
    debouncer = Debouncer(batches.put, quiet=0.1, max_wait=0.3)
    try:
        deadline = time.monotonic() + 1.2
        count = 0
        while time.monotonic() < deadline:  # an event every 20 ms: never quiet for 100 ms
            debouncer.add([Path(f"/s/{count}.md")])
            count += 1
            time.sleep(0.02)
        seen: set[Path] = set()
        batch_count = 0
        while len(seen) < count:
            seen |= batches.get(timeout=5)
            batch_count += 1
        assert batch_count >= 2
        assert seen == {Path(f"/s/{i}.md") for i in range(count)}
    finally:
        debouncer.stop()


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("_config.yml", "config"),
        ("_posts/2020-01-01-a.md", "content"),
        ("_drafts/x.md", "content"),
        ("about.md", "content"),
        ("docs/index.html", "content"),
        ("_layouts/post.html", "layout"),
        ("_includes/head.html", "include"),
        ("_data/people.yml", "data"),
        ("assets/css/main.css", "static"),
        ("assets/page.html", "static"),
        ("images/a.png", "static"),
        ("demos/tsne/main.js", "demo"),
        ("demos/tsne/demo.yml", "demo"),
        ("_posts", "content"),
        ("_layouts", "layout"),
    ],
)
def test_classify_change(relative: str, kind: str) -> None:
    assert classify_change(relative) == kind


def test_change_set_flags_config_for_a_full_rebuild(tmp_path: Path) -> None:
    changes = ChangeSet.of([tmp_path / "_posts" / "a.md", tmp_path / "_config.yml"], tmp_path)
    assert changes.needs_full_rebuild
    assert changes.kind_set == {"content", "config"}
    assert not ChangeSet.of([tmp_path / "_posts" / "a.md"], tmp_path).needs_full_rebuild
    outside = tmp_path.parent / "site.yml"
    assert ChangeSet.of([outside], tmp_path, config_file=outside).needs_full_rebuild


def test_filter_ignores_output_vcs_caches_and_editor_files(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("exclude: [notes, tests]\n")
    config = load_config(tmp_path)
    watch_filter = WatchFilter(tmp_path, tmp_path / "_site", config)
    ignored = [
        "_site/index.html",
        ".git/index",
        ".blog-cache/m.json",
        "node_modules/x/y.js",
        "_posts/.a.md.swp",
        "_posts/a.md~",
        "_posts/.#a.md",
        "_posts/#a.md#",
        "_posts/4913",
        "x.tmp",
        "tests/test_a.py",
        "notes/todo.md",
        ".hidden/x.md",
        "_private/x.md",
        "assets/css/main.css___jb_tmp___",
    ]
    kept = [
        "_config.yml",
        "_posts/a.md",
        "_layouts/x.html",
        "_data/a.yml",
        "assets/css/main.css",
        "about.md",
        "demos/a/main.js",
        "_plugins/a.py",
        "docs/tests/index.md",
    ]
    for relative in ignored:
        assert watch_filter.ignored(tmp_path / relative), relative
    for relative in kept:
        assert not watch_filter.ignored(tmp_path / relative), relative
    assert watch_filter.ignored(tmp_path.parent / "elsewhere.md")


# ---- a real watcher on a real tree --------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.batches: queue.Queue[ChangeSet] = queue.Queue()

    def __call__(self, changes: ChangeSet) -> None:
        self.batches.put(changes)

    def next(self, timeout: float = 10) -> ChangeSet:
        return self.batches.get(timeout=timeout)

    def assert_silent(self, seconds: float = 4 * QUIET + 0.4) -> None:
        with pytest.raises(queue.Empty):
            extra = self.batches.get(timeout=seconds)
            print("unexpected change set:", extra)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for folder in ("_posts", "_layouts", "assets", "_site", ".git"):
        (root / folder).mkdir(parents=True)
    (root / "_config.yml").write_text("title: T\n")
    (root / "_posts" / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nA\n")
    return root


@pytest.fixture
def watched(tree: Path) -> Iterator[tuple[Path, Recorder]]:
    recorder = Recorder()
    watcher = SourceWatcher(WatchFilter(tree, tree / "_site", load_config(tree)), recorder, quiet=QUIET)
    watcher.start()
    time.sleep(0.1)  # let inotify settle before the test's first write
    yield tree, recorder
    watcher.stop()


def relative_paths(changes: ChangeSet, root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in changes.paths}


def test_burst_of_100_files_is_one_change_set(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    for index in range(100):
        (root / "_posts" / f"2021-01-01-post-{index}.md").write_text(f"---\ntitle: {index}\n---\nx\n")
    expected = {f"_posts/2021-01-01-post-{i}.md" for i in range(100)}
    batches = [recorder.next()]
    if relative_paths(batches[0], root) != expected:
        # A single new file settles after 10 ms (an editor's save: watch.py): when the test process
        # stalls that long between its first two writes (CI load), the first file goes alone. The
        # rest of the burst is still one batch: with two files pending, the whole quiet period holds.
        assert len(relative_paths(batches[0], root)) == 1
        batches.append(recorder.next())
    assert set().union(*(relative_paths(changes, root) for changes in batches)) == expected
    assert all(changes.kind_set == {"content"} for changes in batches)
    recorder.assert_silent()


def test_editor_temp_files_alone_cause_nothing(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    for name in (".2020-01-01-a.md.swp", "2020-01-01-a.md~", ".#2020-01-01-a.md", "4913", "x.tmp", "#a.md#"):
        (root / "_posts" / name).write_text("scratch")
        (root / "_posts" / name).unlink()
    (root / "_site" / "index.html").write_text("ours")
    (root / ".git" / "index").write_text("git")
    recorder.assert_silent()


def test_vim_style_save_is_one_change_of_the_real_file(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    posts = root / "_posts"
    (posts / "4913").write_text("")  # vim checks the folder is writable
    (posts / "4913").unlink()
    (posts / ".2020-01-01-a.md.swp").write_text("swap")
    os.rename(posts / "2020-01-01-a.md", posts / "2020-01-01-a.md~")  # backup, then write anew
    (posts / "2020-01-01-a.md").write_text("---\ntitle: A2\n---\nA2\n")
    (posts / "2020-01-01-a.md~").unlink()
    changes = recorder.next()
    assert relative_paths(changes, root) == {"_posts/2020-01-01-a.md"}
    recorder.assert_silent()


def test_temp_file_then_rename_save(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    temporary = root / "_posts" / "2020-01-01-a.md.tmp"
    temporary.write_text("---\ntitle: A3\n---\nA3\n")
    os.replace(temporary, root / "_posts" / "2020-01-01-a.md")
    assert relative_paths(recorder.next(), root) == {"_posts/2020-01-01-a.md"}


def test_rename_reports_both_names(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    os.rename(root / "_posts" / "2020-01-01-a.md", root / "_posts" / "2020-01-01-b.md")
    assert relative_paths(recorder.next(), root) == {"_posts/2020-01-01-a.md", "_posts/2020-01-01-b.md"}


def test_new_top_level_folder_is_watched(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    (root / "guides").mkdir()
    assert "guides" in relative_paths(recorder.next(), root)
    (root / "guides" / "intro.md").write_text("---\ntitle: Intro\n---\nHi\n")
    assert relative_paths(recorder.next(), root) == {"guides/intro.md"}


def test_config_edit_is_flagged(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    (root / "_config.yml").write_text("title: T2\n")
    assert recorder.next().needs_full_rebuild


def test_building_into_the_watched_tree_triggers_nothing(watched: tuple[Path, Recorder]) -> None:
    root, recorder = watched
    (root / "_site" / ".blog-build.json").write_text("{}")  # so the build accepts the folder
    done = threading.Event()

    def run() -> None:
        build(BuildOptions(source=root))  # writes _site/ and .blog-cache/
        done.set()

    threading.Thread(target=run).start()
    assert done.wait(30)
    assert (root / "_site" / "index.html").exists()
    recorder.assert_silent()


def test_a_finished_save_ends_the_wait_early() -> None:
    """A file closed after writing (or renamed into place) finishes a save: the batch goes without
    waiting out the quiet period, here a minute; a plain event after it brings the period back."""
    batches: queue.Queue[set[Path]] = queue.Queue()
    debouncer = Debouncer(batches.put, quiet=60)
    try:
        debouncer.add([Path("/s/_posts/a.md")])
        debouncer.add([Path("/s/_posts/a.md")], settled=True)
        assert batches.get(timeout=10) == {Path("/s/_posts/a.md")}
        debouncer.add([Path("/s/_posts/b.md")], settled=True)
        debouncer.add([Path("/s/_posts/c.md")])  # still being written: the quiet period again
        with pytest.raises(queue.Empty):
            batches.get(timeout=0.5)
    finally:
        debouncer.stop()


def test_a_new_file_waits_the_longer_settle_and_a_save_in_place_the_shorter() -> None:
    """A burst of new files must stay one batch (the first one closed may not go alone), while a
    save into an existing file goes at once: here the longer settle is half a minute."""
    batches: queue.Queue[set[Path]] = queue.Queue()
    debouncer = Debouncer(batches.put, quiet=60, settle=30, settle_in_place=0.002)
    try:
        debouncer.add([Path("/s/_posts/a.md")])
        debouncer.add([Path("/s/_posts/a.md")], settled=True)  # written in place
        assert batches.get(timeout=10) == {Path("/s/_posts/a.md")}
        debouncer.add([Path("/s/_posts/b.md")], created=True)
        debouncer.add([Path("/s/_posts/b.md")], settled=True)  # the same batch made it: a new file
        with pytest.raises(queue.Empty):
            batches.get(timeout=0.5)
    finally:
        debouncer.stop()


def test_a_finished_save_is_told_at_once_to_on_saved(tmp_path: Path) -> None:
    """serve/ahead.py starts converting a saved file before its batch is delivered: here the quiet
    period is a minute and the file is told as soon as it is closed."""
    tree = tmp_path / "site"
    (tree / "_posts").mkdir(parents=True)
    (tree / "_config.yml").write_text("title: T\n")
    saved: queue.Queue[Path] = queue.Queue()
    watcher = SourceWatcher(
        WatchFilter(tree, tree / "_site", load_config(tree)), lambda changes: None, quiet=60, on_saved=saved.put
    )
    watcher.start()
    try:
        time.sleep(0.1)  # let inotify settle before the first write
        (tree / "_posts" / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nA\n")
        assert saved.get(timeout=10) == tree / "_posts" / "2020-01-01-a.md"
        (tree / "_posts" / ".2020-01-01-a.md.swp").write_text("scratch")  # ignored: never told
        with pytest.raises(queue.Empty):
            saved.get(timeout=0.5)
    finally:
        watcher.stop()


def test_a_write_in_place_is_delivered_without_the_quiet_period(tmp_path: Path) -> None:
    tree = tmp_path / "site"
    (tree / "_posts").mkdir(parents=True)
    (tree / "_config.yml").write_text("title: T\n")
    batches: queue.Queue[ChangeSet] = queue.Queue()
    watcher = SourceWatcher(WatchFilter(tree, tree / "_site", load_config(tree)), batches.put, quiet=60)
    watcher.start()
    try:
        time.sleep(0.1)  # let inotify settle before the first write
        (tree / "_posts" / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nA\n")  # closed after writing
        assert relative_paths(batches.get(timeout=10), tree) == {"_posts/2020-01-01-a.md"}
    finally:
        watcher.stop()
