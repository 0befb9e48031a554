"""`blog serve` keeps the fragment memo (incremental/fragments.py) in memory across rebuilds (issue
#19): editing a paragraph of a long post converts its markdown again but highlights none of its
code blocks again, and editing one code block highlights that block only. Counted, not timed; the
served tree stays the tree a clean build makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.incremental import fragments
from generator.render import fences, tex
from generator.render.cache import ConversionCache
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet
from tests.conftest import output_tree

BLOCKS = 6
LONG = "_posts/2020-01-02-long.md"


def long_post(paragraph: str = "A paragraph.", block: int = 3, code: str = "x = 3") -> str:
    parts = ["---\ntitle: Long\n---\nIntro with $a + b$ inline.\n", f"{paragraph}\n"]
    for n in range(BLOCKS):
        parts.append(f"```python\n{code if n == block else f'x = {n}'}\nprint(x * {n})\n```\n")
        parts.append(f"Between blocks {n}, $$\\sum_i x_{{{n}}}$$\n")
    return "\n".join(parts)


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Fragments in serve\n")
    (root / "_posts/2020-01-01-short.md").write_text("---\ntitle: Short\n---\n```js\nlet y = 1;\n```\n")
    (root / LONG).write_text(long_post())
    return root


class Counted:
    """Calls of the real converters (they still run): Pygments' highlight and TeX -> MathML."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.highlighted = self.formulas = 0
        real_highlight, real_formula = fences.highlight, tex.tex_to_mathml

        def highlight(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.highlighted += 1
            return real_highlight(*args, **kwargs)

        def formula(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.formulas += 1
            return real_formula(*args, **kwargs)

        monkeypatch.setattr(fences, "highlight", highlight)
        monkeypatch.setattr(tex, "tex_to_mathml", formula)

    def take(self) -> tuple[int, int]:
        counts, self.highlighted, self.formulas = (self.highlighted, self.formulas), 0, 0
        return counts


def clean_build(source: Path, tmp_path: Path) -> dict[str, bytes]:
    destination = tmp_path / "clean"
    build(BuildOptions(source=source, destination=destination), cache=ConversionCache())
    return output_tree(destination)


def edit(rebuilder: SiteRebuilder, source: Path, text: str) -> None:
    (source / LONG).write_text(text)
    outcome = rebuilder.rebuild(ChangeSet.of([source / LONG], source))
    assert outcome.ok, outcome.error_lines
    assert outcome.changed_outputs  # the post's page was written again


def test_a_prose_edit_highlights_no_code_block_and_a_code_edit_only_that_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_site(tmp_path / "site")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    counted = Counted(monkeypatch)
    assert rebuilder.rebuild().ok
    assert counted.take()[0] == BLOCKS + 1  # the first build: every block of both posts
    edit(rebuilder, source, long_post("A paragraph, edited."))
    assert counted.take()[0] == 0
    edit(rebuilder, source, long_post("A paragraph, edited.", code="x = 'changed'"))
    assert counted.take()[0] == 1  # the changed block only
    assert output_tree(source / "_site") == clean_build(source, tmp_path)
    # The memo holds what serve's builds made, and nothing went to a file: this cache has no folder.
    assert len(rebuilder.fragments) >= BLOCKS + 2
    assert not (source / ".blog-cache" / fragments.FILE_NAME).exists()
    assert fragments.lookup(next(iter(rebuilder.fragments))) is None  # outside a rebuild: no memo


def test_with_a_cache_folder_a_new_session_finds_the_last_ones_fragments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's serve has .blog-cache: its first edit highlights nothing a former session (or the
    first build's worker processes) highlighted already."""
    source = make_site(tmp_path / "site")
    folder = source / ".blog-cache"
    first = SiteRebuilder(BuildOptions(source=source), ConversionCache(folder))
    assert first.rebuild().ok
    assert (folder / fragments.FILE_NAME).exists()
    counted = Counted(monkeypatch)
    second = SiteRebuilder(BuildOptions(source=source), ConversionCache(folder))  # a new session
    assert second.rebuild().ok
    edit(second, source, long_post("Another paragraph.", code="x = 'new'"))
    highlighted, formulas = counted.take()
    assert highlighted == 1  # the changed block; the other five came from the file
    assert formulas == 0
    assert output_tree(source / "_site") == clean_build(source, tmp_path)


def test_the_first_edit_of_a_session_makes_no_markdown_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher's thread, which runs every edit-rebuild, makes its markdown engine (engines are
    per thread) before the first edit arrives, not during it."""
    import queue

    import markdown

    from generator.serve.server import DevServer

    source = make_site(tmp_path / "site")
    events: queue.Queue[str] = queue.Queue()
    real_init, real_rebuild = markdown.Markdown.__init__, SiteRebuilder.rebuild

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        events.put("engine")
        real_init(self, *args, **kwargs)

    def rebuild(self, changes=None):  # type: ignore[no-untyped-def]
        events.put("rebuild")
        outcome = real_rebuild(self, changes)
        events.put("rebuilt")
        return outcome

    monkeypatch.setattr(markdown.Markdown, "__init__", init)
    monkeypatch.setattr(SiteRebuilder, "rebuild", rebuild)
    server = DevServer(BuildOptions(source=source), port=0, watch=True, log=lambda message: None)
    server.start()
    try:
        # The first build (on this thread, which may have an engine from an earlier test already)...
        while events.get(timeout=10) != "rebuilt":
            pass
        assert events.get(timeout=10) == "engine"  # ...then the watcher's thread warms up
        (source / LONG).write_text(long_post("Edited while serving."))
        assert events.get(timeout=10) == "rebuild"
        assert events.get(timeout=10) == "rebuilt"  # no engine made in between
        assert events.empty()
    finally:
        server.stop()
