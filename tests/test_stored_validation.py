"""Rebuilds in new processes (a fresh BuildState from `.blog-cache/` each time) check stored renders
the short way (incremental/validation.py): a record the last build validated is trusted unless a
site key or template it read changed print. Each step's output must equal a clean build's, also
when a setting goes back to an earlier value, and a no-op decodes no record's dependencies."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import BuildOptions, build
from generator.incremental import state as state_module
from generator.incremental import validation

DEFAULT = "<html><head><title>{{ site.title }}</title></head><body>{{ content }}</body></html>\n"


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_layouts").mkdir()
    (root / "_config.yml").write_text("title: First\n")
    (root / "_layouts/default.html").write_text(DEFAULT)
    (root / "_layouts/post.html").write_text("---\nlayout: default\n---\n<h1>{{ page.title }}</h1>{{ content }}\n")
    (root / "about.md").write_text("---\nlayout: page\ntitle: About\n---\nAbout *me*.\n")
    for n in range(5):
        (root / f"_posts/2020-01-{n + 1:02d}-p{n}.md").write_text(
            f"---\ntitle: P{n}\ntags: [t{n % 2}]\n---\nPost {n}.\n"
        )
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".blog-build.json"
    }


def clean_build(site: Path, scratch: Path) -> dict[str, bytes]:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(site, scratch, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    build(BuildOptions(source=scratch))
    return tree(scratch / "_site")


def test_rebuilds_from_the_store_equal_clean_builds_when_settings_and_templates_change(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    steps = [
        ("_config.yml", "title: Second\n"),
        ("_layouts/default.html", DEFAULT.replace("<body>", "<body class=x>")),
        ("_config.yml", "title: First\n"),  # back to the value the first records were made with
        ("_posts/2020-01-03-p2.md", "---\ntitle: P2 again\ntags: [t1]\n---\nPost 2, edited.\n"),
        ("_layouts/default.html", DEFAULT),  # back again
        (None, None),  # a no-op
        ("_config.yml", "title: Second\n"),
    ]
    for number, (name, text) in enumerate(steps):
        if name is not None:
            (site / name).write_text(text)
        result = build(BuildOptions(source=site))
        assert tree(site / "_site") == clean_build(site, tmp_path / f"clean{number}"), (number, name, text)
        if name == "_config.yml":  # every page shows the title: none may be reused
            assert result.reused == 0, number


def test_a_noop_trusts_what_the_last_build_validated(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    build(BuildOptions(source=site))  # (the first save validated everything it made)
    decoded: list[int] = []
    real = state_module.RenderRecord._decode_deps

    def counting(self: state_module.RenderRecord) -> None:
        decoded.append(1)
        real(self)

    monkeypatch.setattr(state_module.RenderRecord, "_decode_deps", counting)
    loaded: list[validation.AllStoredBut] = []
    real_load = validation.load_validation

    def remember(db, state) -> None:  # noqa: ANN001
        real_load(db, state)
        loaded.append(state.validated)

    monkeypatch.setattr(validation, "load_validation", remember)
    result = build(BuildOptions(source=site))
    assert result.report is not None and result.report.written == []
    assert result.reused > 0 and decoded == []
    assert len(loaded) == 1 and isinstance(loaded[0], validation.AllStoredBut) and loaded[0].excluded == set()


def test_reused_pages_are_published_without_reading_their_bytes(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A reused page stays in the render store (digested.StoredPage) unless its published file
    must be written again: a no-op reads no page's bytes; a page deleted by hand is restored from
    the store, byte for byte; a build without a spool (write=False) gets the bytes themselves."""
    from generator.incremental import digested

    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    cold = tree(site / "_site")
    reads: list[str] = []
    real = digested.StoredPage.read

    def counting(self: digested.StoredPage) -> digested.Digested:
        reads.append(self._path)
        return real(self)

    monkeypatch.setattr(digested.StoredPage, "read", counting)
    noop = build(BuildOptions(source=site))
    assert noop.reused > 0 and reads == []
    post = next(path for path in cold if "p2" in path)  # a post's page
    (site / "_site" / post).unlink()
    again = build(BuildOptions(source=site))
    assert reads == [post] and again.report is not None and again.report.written == [post]
    assert tree(site / "_site") == cold
    in_memory = build(BuildOptions(source=site, write=False))
    pages = {o.output_path: o.data for o in in_memory.outputs if o.output_path.endswith(".html")}
    assert pages and all(type(data) is digested.Digested for data in pages.values())
    assert {path: bytes(data) for path, data in pages.items()} == {p: cold[p] for p in pages}


def test_views_made_from_the_same_inputs_keep_their_stored_prints(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A no-op hashes no document's view; an edit hashes the edited one's; with a page_rendering
    plugin (values no input names) every view is hashed, and its values still reach the pages."""
    from generator.incremental import reuse

    site = make_site(tmp_path / "site")
    build(BuildOptions(source=site))
    build(BuildOptions(source=site))
    hashed: list[str] = []
    real = reuse.fingerprint_mapping

    def counting(values, skip=()):  # noqa: ANN001, ANN202
        hashed.append(values["path"])
        return real(values, skip)

    monkeypatch.setattr(reuse, "fingerprint_mapping", counting)
    build(BuildOptions(source=site))
    assert hashed == []
    post = site / "_posts/2020-01-02-p1.md"
    post.write_text(post.read_text() + "\nMore.\n")
    build(BuildOptions(source=site))
    assert hashed == ["_posts/2020-01-02-p1.md"]
    (site / "_plugins").mkdir()
    (site / "_plugins/stamp.py").write_text(
        "from pathlib import Path\n"
        "def page_rendering(page, site):\n"
        "    return {'stamp': Path(__file__).with_name('stamp.txt').read_text()}\n"
    )
    (site / "_plugins/stamp.txt").write_text("one")
    (site / "_layouts/post.html").write_text("---\nlayout: default\n---\n<i>{{ page.stamp }}</i>{{ content }}\n")
    build(BuildOptions(source=site))
    (site / "_plugins/stamp.txt").write_text("two")  # the plugin's value changes, no document does
    hashed.clear()
    build(BuildOptions(source=site))
    assert len(hashed) == 6  # (5 posts and about.md)
    assert tree(site / "_site") == clean_build(site, tmp_path / "clean")
    assert b"<i>two</i>" in (site / "_site" / next(p for p in tree(site / "_site") if "p1" in p)).read_bytes()
