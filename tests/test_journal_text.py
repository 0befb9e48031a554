"""The journal's text is made with the marker's text spliced in (write/journal.py), so the marker's
manifest is encoded once per build; it must be exactly the bytes json would write for the whole
journal, whatever the names hold (quotes, backslashes, non-ASCII, control characters)."""

from __future__ import annotations

import json
from pathlib import Path

from generator.write import journal
from generator.write.safepath import JOURNAL, MARKER


def test_the_spliced_journal_is_the_journal_as_json() -> None:
    staged = [("0", 'a "quoted"/name.html'), ("1", "back\\slash/é ü/index.html"), ("2", "tab\there\u2028.html")]
    deletions = ["old/é.html", 'x"y/', "ctl\x01.html"]
    marker = {
        "generator": "blog",
        "origins": {"z.html": "_posts/z.md", "a.html": None, "é.html": 'q"'},
        "files": {"a.html": ["abc", 3, 1700000000000000000]},
        "marker_version": journal.MARKER_VERSION,
    }
    whole = {"marker_version": journal.MARKER_VERSION, "renames": staged, "deletions": deletions, "marker": marker}
    spliced = journal.journal_text(staged, deletions, journal.dumps(marker))
    assert spliced == journal.dumps(whole)
    assert json.loads(spliced) == json.loads(json.dumps(whole))


def test_a_commit_leaves_the_marker_and_no_journal(tmp_path: Path) -> None:
    (tmp_path / ".blog-staging").mkdir()
    (tmp_path / ".blog-staging" / "0").write_text("new page")
    marker = {"files": {"p/index.html": ["d", 8, 1]}, "marker_version": journal.MARKER_VERSION}
    journal.commit(tmp_path, [("0", "p/index.html")], [], marker)
    assert (tmp_path / "p/index.html").read_text() == "new page"
    assert json.loads((tmp_path / MARKER).read_text()) == marker
    assert not (tmp_path / JOURNAL).exists() and not (tmp_path / ".blog-staging").exists()
