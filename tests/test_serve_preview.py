"""The edited page first (serve/preview.py): during an edit-rebuild the page made from the edited
file is handed over as soon as it is rendered, before the rest of the site is made and written —
exactly the bytes the build then commits. Counted: one page per edited post, none for a full
rebuild, an unchanged page or a stylesheet; the server's files still change only with a whole good
build (a build failing after the page was made leaves the old page on disk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildOptions
from generator.render.documents import DocumentRenderer
from generator.serve.preview import preview_event
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet

FAIL_LATER = """from generator.errors import GeneratorError


def build_finished(build):
    for output in build.outputs:
        if output.output_path.endswith(".html") and b"FAIL-LATER" in output.read():
            raise GeneratorError("failing after the pages were made", output.origin, 1)
"""


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_plugins").mkdir()
    (root / "assets").mkdir()
    (root / "_config.yml").write_text("title: Preview\n")
    (root / "_plugins" / "fail_later.py").write_text(FAIL_LATER)
    (root / "assets" / "site.css").write_text("body { color: red; }\n")
    for n in range(3):
        (root / f"_posts/2020-01-0{n + 1}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\nPost {n}.\n")
    return root


def test_the_edited_page_is_handed_over_once_with_the_bytes_the_build_commits(tmp_path: Path) -> None:
    source = make_site(tmp_path / "site")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    sent: list[tuple[str, bytes]] = []
    rebuilder.on_page = lambda path, data: sent.append((path, data))
    assert rebuilder.rebuild().ok
    assert sent == []  # a full build: its pages come with its reload event

    post = source / "_posts/2020-01-02-p1.md"
    post.write_text(post.read_text().replace("Post 1.", "Post 1, edited."))
    outcome = rebuilder.rebuild(ChangeSet.of([post], source))
    assert outcome.ok
    assert [path for path, _ in sent] == ["2020/01/02/p1.html"]
    assert sent[0][1] == (source / "_site" / sent[0][0]).read_bytes()
    assert sent[0][0] in outcome.changed_outputs

    sent.clear()
    post.write_text(post.read_text())  # saved again, the same bytes: nothing to show
    assert rebuilder.rebuild(ChangeSet.of([post], source)).ok
    css = source / "assets" / "site.css"
    css.write_text("body { color: blue; }\n")
    assert rebuilder.rebuild(ChangeSet.of([css], source)).ok
    assert sent == []

    # The page is made (and handed over), then the build fails: the old page stays on disk.
    before = (source / "_site/2020/01/02/p1.html").read_bytes()
    post.write_text(post.read_text().replace("edited.", "edited, FAIL-LATER."))
    outcome = rebuilder.rebuild(ChangeSet.of([post], source))
    assert not outcome.ok and any("failing after the pages were made" in line for line in outcome.error_lines)
    assert len(sent) == 1 and b"FAIL-LATER" in sent[0][1]
    assert (source / "_site/2020/01/02/p1.html").read_bytes() == before
    assert not (source / "_site/.blog-staging").exists()


def test_the_preview_event_is_the_page_a_request_would_get() -> None:
    event = preview_event("abc-3", "/blog", "2020/01/02/p1.html", b"<html><body><p>x</p></body></html>")
    assert event is not None and event["paths"] == ["/blog/2020/01/02/p1.html"]
    page = event["pages"]["/blog/2020/01/02/p1.html"]  # type: ignore[index]
    assert page.startswith('<html><body><p>x</p><script data-build="abc-3"') and page.endswith("</body></html>")
    assert preview_event("abc-3", "", "p.html", b"\xff not UTF-8") is None


def test_the_edited_pages_render_before_the_others_and_the_build_is_a_serial_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render/edited_first.py: the preview waits for no other document's page; what the edited
    documents made goes back in document order (outputs, and the site equals a clean build)."""
    source = make_site(tmp_path / "site")
    for n in range(3, 9):
        (source / f"_posts/2020-01-0{n + 1}-p{n}.md").write_text(f"---\ntitle: P{n}\n---\nPost {n}.\n")
    rendered: list[str] = []
    render_page = DocumentRenderer.render_page

    def counted(self: DocumentRenderer, doc):  # type: ignore[no-untyped-def]
        rendered.append(doc.source.relative)
        return render_page(self, doc)

    monkeypatch.setattr(DocumentRenderer, "render_page", counted)
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    seen_at: list[int] = []
    rebuilder.on_page = lambda path, data: seen_at.append(len(rendered))
    assert rebuilder.rebuild().ok
    edited = ["_posts/2020-01-05-p4.md", "_posts/2020-01-07-p6.md"]
    for relative in edited:
        post = source / relative
        post.write_text(post.read_text().replace("Post", "Post, edited,"))
    rendered.clear()
    outcome = rebuilder.rebuild(ChangeSet.of([source / r for r in edited], source))
    assert outcome.ok
    assert set(rendered[:2]) == set(edited) and seen_at == [1, 2]  # each previewed as soon as it was rendered
    assert sorted(rendered) == sorted(set(rendered))  # every page once
    assert [o.output_path for o in outcome.result.outputs] == sorted(o.output_path for o in outcome.result.outputs)
    clean = SiteRebuilder(BuildOptions(source=source, destination=tmp_path / "clean"))
    assert clean.rebuild().ok
    assert [str(w) for w in outcome.result.warnings] == [str(w) for w in clean.result.warnings]
    for output in clean.result.outputs:
        assert (source / "_site" / output.output_path).read_bytes() == output.read()
