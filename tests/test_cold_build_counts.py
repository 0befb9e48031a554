"""What a cold build does once, counted rather than timed (issue #19): the write phase makes each
output folder with one mkdir call (parents first, none failing), and when the conversion workers
ran, the parent strips no tags for reading times and descriptions (the workers did), with the
same output as a build that converted in the parent."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.render import reading
from generator.render.conversion import PARALLEL_MINIMUM

POSTS = PARALLEL_MINIMUM  # two texts each (body and excerpt): enough for the workers to run


def make_site(root: Path, posts: int = POSTS, baseurl: str = "") -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text(f"title: Counts\nbaseurl: '{baseurl}'\npermalink: /:year/:month/:day/:title/\n")
    for n in range(posts):
        day = f"2020-{n % 3 + 1:02d}-{n % 5 + 1:02d}"  # several posts a day, several days a month
        words = " ".join(f"word{i}" for i in range(n + 20))
        body = f"First *paragraph* of {n}: {words}.\n\n[Home](/) and more <b>text</b> {n}.\n"
        (root / f"_posts/{day}-post-{n}.md").write_text(f"---\ntitle: Post {n}\n---\n{body}")
    return root


def folders_under(root: Path) -> set[str]:
    return {os.path.relpath(folder, root) for folder, _, _ in os.walk(root)} - {"."}


def counted_build(site: Path, destination: Path, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The build's mkdir calls under `destination`, by destination-relative path."""
    calls: Counter[str] = Counter()
    real_mkdir = os.mkdir

    def counting_mkdir(path, *args, **kwargs):
        name = os.fspath(path)
        if name.startswith(str(destination) + os.sep):
            calls[os.path.relpath(name, destination)] += 1
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", counting_mkdir)
    try:
        build(BuildOptions(source=site, destination=destination))
    finally:
        monkeypatch.setattr(os, "mkdir", real_mkdir)
    return calls


def test_a_cold_build_makes_each_output_folder_with_one_mkdir(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site", posts=12)
    destination = tmp_path / "out"
    calls = counted_build(site, destination, monkeypatch)
    made = folders_under(destination)
    assert "2020/01/01/post-0" in made and "2020/01" in made
    # Every folder of the site exactly once, made in the staged tree while rendering (a destination
    # the build makes: write/tree.py); the staging folder and the tree's root, gone now, are asked
    # for by each step that writes into them: a fixed number of calls, not one per file.
    assert calls.pop(".blog-staging") <= 5 and calls.pop(".blog-staging/tree") == 1
    assert all(path.startswith(".blog-staging/tree/") for path in calls)
    assert {path.removeprefix(".blog-staging/tree/") for path in calls} == made and max(calls.values()) == 1
    # A rebuild that rewrites every file into the existing folders (numbered names, renamed into
    # place by the commit): still at most one call a folder.
    (site / "_config.yml").write_text((site / "_config.yml").read_text().replace("Counts", "Renamed"))
    again = counted_build(site, destination, monkeypatch)
    assert again.pop(".blog-staging") <= 5
    assert again and max(again.values()) == 1 and set(again) <= made


def test_a_folder_nested_a_thousand_levels_deep_is_made(tmp_path: Path) -> None:
    """Folders are made in a loop, not by recursion (a path may have ~1,900 levels)."""
    from generator.write.journal import Folders

    deep = "/".join(["a"] * 1100)  # deeper than Python's recursion limit
    try:
        Folders(str(tmp_path)).make(deep)
        assert (tmp_path / deep).is_dir()
    finally:
        while deep:  # (shutil.rmtree, pytest's cleanup, would recurse as deep and fail)
            if (tmp_path / deep).is_dir():
                os.rmdir(tmp_path / deep)
            deep = deep.rpartition("/")[0]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the conversion workers need two cores")
def test_the_parent_strips_no_tags_on_a_cold_build_when_workers_ran(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site")
    before = reading.STRIPPED[0]
    result = build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert result.converted == 2 * POSTS  # converted by the workers (body and excerpt of each post)
    assert reading.STRIPPED[0] == before  # every reading time and description came from the workers
    # The same pages as a build that converts (and strips) everything in the parent.
    monkeypatch.setattr("generator.render.documents.PARALLEL_MINIMUM", 10**9)
    shutil.rmtree(site / ".blog-cache")  # cold again: nothing converted or remembered
    serial = build(BuildOptions(source=site, destination=tmp_path / "serial"))
    assert reading.STRIPPED[0] == before + 2 * POSTS
    assert {o.output_path: o.read() for o in result.outputs} == {o.output_path: o.read() for o in serial.outputs}
    page = (tmp_path / "out/2020/01/01/post-0/index.html").read_text()
    assert "1 min read" in page or "min" in page


def test_html_rewritten_after_conversion_has_its_facts_found_again(tmp_path: Path, monkeypatch) -> None:
    """With a baseurl the content differs from the workers' HTML: its facts are computed from it."""
    site = make_site(tmp_path / "site", baseurl="/blog")
    before = reading.STRIPPED[0]
    result = build(BuildOptions(source=site, destination=tmp_path / "out"))
    monkeypatch.setattr("generator.render.documents.PARALLEL_MINIMUM", 10**9)
    shutil.rmtree(site / ".blog-cache")  # cold again: nothing converted or remembered
    serial = build(BuildOptions(source=site, destination=tmp_path / "serial"))
    assert reading.STRIPPED[0] > before
    assert {o.output_path: o.read() for o in result.outputs} == {o.output_path: o.read() for o in serial.outputs}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the conversion workers need two cores")
def test_the_parent_scans_no_nesting_on_a_cold_build_when_workers_ran(tmp_path: Path, monkeypatch) -> None:
    """The nesting pre-scan runs where the conversion runs (render_markdown), not also at load."""
    from generator.load import content, nesting
    from generator.render import markup

    scanned: list[int] = []
    real = nesting.too_deep_line

    def counting(text: str) -> int | None:
        scanned.append(os.getpid())  # (a forked worker counts into its own copy of this list)
        return real(text)

    for module in (nesting, markup, content):  # wherever a loader or converter may call it from
        monkeypatch.setattr(module, "too_deep_line", counting, raising=False)
    build(BuildOptions(source=make_site(tmp_path / "site"), destination=tmp_path / "out"))
    assert scanned == []


def test_a_post_nested_too_deep_among_many_is_refused_at_its_line(tmp_path: Path) -> None:
    """Refused by a worker, converted again in the parent, which names the file and line."""
    from generator.errors import BuildFailed

    site = make_site(tmp_path / "site")
    (site / "_posts/2020-02-02-deep.md").write_text("---\ntitle: Deep\n---\nIntro.\n\n" + "> " * 200 + "deep\n")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(source=site, destination=tmp_path / "out"))
    assert [str(e) for e in failure.value.errors] == [
        "_posts/2020-02-02-deep.md:6: nesting deeper than 100 levels (lists, quotes or markdown divs); flatten it"
    ]
    assert not (tmp_path / "out").exists()


def test_discovery_looks_at_each_plain_source_file_once(tmp_path: Path, monkeypatch) -> None:
    """One lstat for a regular file; links get the full checks (test_hostile_paths.py)."""
    from generator.config import load_config
    from generator.load.discover import discover

    site = make_site(tmp_path / "site", posts=5)
    config = load_config(site)
    looks: Counter[str] = Counter()
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def counting(path, *args, _real=real, **kwargs):
            if "/_posts/" in os.fspath(path) if not isinstance(path, int) else False:
                looks[os.path.basename(path)] += 1
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, counting)
    found = discover(config)
    monkeypatch.undo()
    assert len(found["post"]) == 5
    assert sorted(looks.values()) == [1] * 5


def test_a_cold_build_looks_for_links_only_in_folders_that_exist(tmp_path: Path, monkeypatch) -> None:
    """Proving output folders inside the destination: below a folder found missing nothing is
    looked at (one lstat per top-level folder on a cold build, not one per folder)."""
    site = make_site(tmp_path / "site", posts=12)
    destination = tmp_path / "out"
    looks: Counter[str] = Counter()
    real = os.lstat

    def counting(path, *args, **kwargs):
        name = os.fspath(path) if not isinstance(path, int) else ""
        if name.startswith(str(destination) + os.sep):
            looks[os.path.relpath(name, destination)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", counting)
    build(BuildOptions(source=site, destination=destination))
    monkeypatch.undo()
    top = {name for name in folders_under(destination) if "/" not in name}
    assert {"2020", "archive", "tags"} <= top
    assert set(looks) <= top | {".blog-staging"} and max(looks.values()) == 1


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<p>One&nbsp;two\u2003three\x1cfour</p>\n<script>var x = 1;</script><!-- a\nb --><style>p{}</style>",
        "<p>" + " ".join(f"w{i}" for i in range(40)) + "</p>",
        "<p>" + " ".join(f"w{i}" for i in range(41)) + "&amp;</p><pre>x\ty</pre>",
        "a<br>b &lt;tag&gt; &#8203;c\u00a0 \u2028d",
    ],
)
def test_text_facts_are_strip_html_counted_and_cut(html: str) -> None:
    """The workers' shortcut (no whitespace pass) finds the very words strip_html gives."""
    from generator.render.filters import strip_html, truncatewords

    assert reading.text_facts(html) == (len(strip_html(html).split()), truncatewords(strip_html(html), 40))


@pytest.mark.parametrize("first", [True, False], ids=["into-the-staged-tree", "numbered"])
def test_spooled_files_are_written_with_one_os_open_and_stat_once(tmp_path: Path, monkeypatch, first: bool) -> None:
    """Each rendered output: one os.open in the staging folder, not open() (which adds an fstat, an
    ioctl and an lseek), and one stat for the manifest when the journal is written. In a destination
    the build makes, at its place in the staged tree (write/tree.py), else under a number."""
    import builtins

    site = make_site(tmp_path / "site", posts=12)
    destination = tmp_path / "out"
    if not first:  # an empty destination that exists already: the build does not make it
        destination.mkdir()
    staging = str(destination / ".blog-staging") + os.sep
    opened: Counter[str] = Counter()
    looked: Counter[str] = Counter()
    buffered: list[str] = []
    real_open, real_stat, real_builtin_open = os.open, os.stat, builtins.open

    def counting_open(path, *args, **kwargs):
        if os.fspath(path).startswith(staging):
            opened[os.path.relpath(path, staging)] += 1
        return real_open(path, *args, **kwargs)

    def counting_stat(path, *args, **kwargs):
        if not isinstance(path, int) and os.fspath(path).startswith(staging):
            looked[os.path.relpath(path, staging)] += 1
        return real_stat(path, *args, **kwargs)

    def counting_builtin_open(path, *args, **kwargs):
        if not isinstance(path, int) and os.fspath(path).startswith(staging):
            buffered.append(os.path.relpath(path, staging))
        return real_builtin_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(os, "stat", counting_stat)
    monkeypatch.setattr(builtins, "open", counting_builtin_open)
    result = build(BuildOptions(source=site, destination=destination))
    monkeypatch.undo()
    spooled = {name for name in opened if name.isdigit() or name.startswith("tree/")}
    assert {name.startswith("tree/") for name in spooled} == {first}
    assert len(spooled) > 12 and all(opened[name] == 1 for name in spooled)  # every rendered page
    assert not set(buffered) & spooled
    assert all(looked[name] == 1 for name in spooled)
    # The manifest holds what is on disk.
    for path, (_, size, mtime) in result.report.manifest.items():
        on_disk = os.stat(destination / path)
        assert (on_disk.st_size, on_disk.st_mtime_ns) == (size, mtime), path
