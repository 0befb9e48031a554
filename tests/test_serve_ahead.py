"""The edited file's markdown converted ahead in serve's worker process (serve/ahead.py): counted,
the parent converts no edited body the worker converted; the site equals a build without the
worker; a body too deep for the converter is still reported at its line; a worker that is gone
costs nothing but the conversion in process. Real processes, no mocks (the parent's converter is
wrapped to count what it converts)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import BuildOptions
from generator.frontmatter import parse_document
from generator.render import markdown_engine, markup
from generator.serve.ahead import ConvertAhead, body_of
from generator.serve.server import SiteRebuilder
from generator.serve.watch import ChangeSet

POST = "_posts/2020-01-02-long.md"


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Ahead\n")
    (root / "_posts/2020-01-01-short.md").write_text("---\ntitle: Short\n---\nShort post.\n")
    body = "".join(
        f"## Part {n}\n\nSome *text* with $x^{n}$ and `code`.\n\n```python\nx = {n}\n```\n\n" for n in range(20)
    )
    (root / POST).write_text(f"---\ntitle: Long\n---\n{body}")
    return root


@pytest.fixture
def converted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts this process's converter converts."""
    texts: list[str] = []
    convert = markdown_engine.convert

    def counted(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        texts.append(text)
        return convert(text, *args, **kwargs)

    monkeypatch.setattr(markdown_engine, "convert", counted)
    return texts


def rebuilder_with_worker(source: Path) -> SiteRebuilder:
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok and rebuilder.result is not None
    rebuilder.ahead = ConvertAhead(dict(rebuilder.result.config.markdown))
    assert rebuilder.ahead.wait_ready()
    return rebuilder


def edit(source: Path, old: str, new: str) -> ChangeSet:
    post = source / POST
    post.write_text(post.read_text().replace(old, new))
    return ChangeSet.of([post], source)


def test_the_worker_converts_the_edited_body_and_the_site_is_the_same(tmp_path: Path, converted: list[str]) -> None:
    source = make_site(tmp_path / "site")
    rebuilder = rebuilder_with_worker(source)
    assert rebuilder.ahead is not None
    try:
        for n in range(3):
            converted.clear()
            outcome = rebuilder.rebuild(edit(source, "Some *text*", f"Edit {n}: some *text*"))
            assert outcome.ok
            body = parse_document((source / POST).read_text(), POST).body
            assert body not in converted  # (the excerpt, a new short text, may be converted here)
            assert rebuilder.ahead.submitted == n + 1
    finally:
        rebuilder.ahead.close()
    clean = SiteRebuilder(BuildOptions(source=source, destination=tmp_path / "clean"))
    assert clean.rebuild().ok and clean.result is not None and rebuilder.result is not None
    assert [str(w) for w in rebuilder.result.warnings] == [str(w) for w in clean.result.warnings]
    for output in clean.result.outputs:
        assert (source / "_site" / output.output_path).read_bytes() == output.read(), output.output_path


def test_a_body_too_deep_is_reported_at_its_line_and_a_gone_worker_costs_nothing(
    tmp_path: Path, converted: list[str]
) -> None:
    source = make_site(tmp_path / "site")
    rebuilder = rebuilder_with_worker(source)
    assert rebuilder.ahead is not None
    try:
        outcome = rebuilder.rebuild(edit(source, "## Part 3\n", "## Part 3\n\n" + ">" * 200 + " deep\n"))
        assert not outcome.ok
        plain = SiteRebuilder(BuildOptions(source=source, destination=tmp_path / "plain"))
        assert [line for line in outcome.error_lines if POST in line]
        assert outcome.error_lines == plain.rebuild().error_lines
        outcome = rebuilder.rebuild(edit(source, ">" * 200 + " deep\n", "Fixed.\n"))
        assert outcome.ok
    finally:
        rebuilder.ahead.close()
    converted.clear()
    assert rebuilder.rebuild(edit(source, "Fixed.", "Fixed again.")).ok  # the worker is gone
    assert parse_document((source / POST).read_text(), POST).body in converted
    assert b"Fixed again." in (source / "_site/2020/01/02/long.html").read_bytes()


def test_a_save_handed_over_early_is_sent_once(tmp_path: Path, converted: list[str]) -> None:
    """The watcher's `on_saved` (ConvertAhead.early) starts the conversion; the rebuild then finds
    it under way and sends nothing more; what no build asked for is forgotten after the next one."""
    source = make_site(tmp_path / "site")
    rebuilder = rebuilder_with_worker(source)
    ahead = rebuilder.ahead
    assert ahead is not None
    try:
        changes = edit(source, "Some *text*", "Early: some *text*")
        ahead.early(source / POST)
        assert ahead.submitted == 1
        assert rebuilder.rebuild(changes).ok
        assert ahead.submitted == 1
        assert parse_document((source / POST).read_text(), POST).body not in converted
        ahead.early(source / POST)  # the same text again, then an edit before its rebuild
        changes = edit(source, "Early:", "Later:")
        assert rebuilder.rebuild(changes).ok and ahead.submitted == 3
        assert not markup.AHEAD  # nothing left waiting
    finally:
        ahead.close()
    assert b"Later: some" in (source / "_site/2020/01/02/long.html").read_bytes()


def test_edits_before_the_worker_is_ready_are_converted_here(tmp_path: Path, converted: list[str]) -> None:
    """A text queued behind the worker's start-up would make the build wait: not sent."""
    source = make_site(tmp_path / "site")
    rebuilder = SiteRebuilder(BuildOptions(source=source))
    assert rebuilder.rebuild().ok and rebuilder.result is not None
    ahead = rebuilder.ahead = ConvertAhead(dict(rebuilder.result.config.markdown))
    try:
        assert rebuilder.rebuild(edit(source, "Some *text*", "Early: some *text*")).ok
        assert ahead.submitted == 0 or ahead._ready.done()  # (a worker may start that fast)
        assert ahead.wait_ready()
        assert rebuilder.rebuild(edit(source, "Early:", "Ready:")).ok
        assert ahead.submitted >= 1
    finally:
        ahead.close()


def test_a_killed_server_leaves_no_worker(tmp_path: Path) -> None:
    """The worker exits when its server's process is gone (a worker of a SIGKILLed server would
    otherwise wait for work forever)."""
    pid_file = tmp_path / "worker.pid"
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from generator.serve.ahead import ConvertAhead\n"
        "ahead = ConvertAhead({})\n"
        "assert ahead.wait_ready()\n"
        "Path(sys.argv[1]).write_text(str(*ahead._pool._processes))\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(pid_file)], stdout=subprocess.DEVNULL, timeout=120)
    worker = int(pid_file.read_text())
    try:
        for _ in range(100):
            if not _running(worker):
                return
            time.sleep(0.1)
        raise AssertionError(f"worker {worker} still running after its server was killed")
    finally:
        if _running(worker):
            os.kill(worker, 9)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: A\n---\nBody\n",
        "\ufeff---\r\ntitle: A\r\n---\r\nBody\r\nmore\r\n",
        "---\ntitle: A\n...\nBody after dots\n",
        "---  \ntitle: A\n---   \n\n\nBody with blank lines first\n",
        "---\n---\n",
    ],
)
def test_the_body_is_cut_as_the_loader_cuts_it(text: str) -> None:
    raw = text.encode("utf-8")
    decoded = raw.decode("utf-8-sig").replace("\r\n", "\n")
    assert body_of(raw) == parse_document(decoded, "x.md").body


def test_no_body_without_front_matter() -> None:
    assert body_of(b"No front matter\n") is None
    assert body_of(b"---\nnot closed\n") is None
    assert body_of(b"\xff\xfe") is None
