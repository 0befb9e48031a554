"""The generated pages (home, archive, tag pages) list every post through the packaged theme: an
edit of any field one of them shows must re-render it, and an edit of a field none shows must not
(issue #19: a render's reads of one document are recorded as one entry, all its keys with one print).
Checked with a kept BuildState (`blog serve`) and with builds that each start from `.blog-cache/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.incremental.state import BuildState, fingerprint_values
from generator.render.cache import ConversionCache

WORDS = " ".join(["word"] * 450)  # enough for another reading time
# B's excerpt is long: a `blog build` keeps such texts in a file, not in its views (render/views.py),
# and what reads views the short way (jinja_hooks, reuse) must still see, and print, the text.
LONG = " ".join(["long"] * 150)
SITE = {
    "_config.yml": "title: T\npermalink: pretty\n",
    "_posts/2020-01-01-a.md": "---\ntitle: A\ntags: [x]\n---\nFirst of A.\n\nBody of A.\n",
    "_posts/2020-01-02-b.md": f"---\ntitle: B\ntags: [x, y]\n---\nFirst of B. {LONG}\n\nBody of B.\n",
    "_posts/2020-01-03-c.md": "---\ntitle: C\ntags: [y]\n---\nFirst of C.\n\nBody of C.\n",
}
B = "_posts/2020-01-02-b.md"
LISTS = ("index.html", "archive/index.html", "tags/x/index.html")

# (what is edited in B, the old text, the new one, the generated pages that show it)
EDITS = [
    ("title", "title: B\n", "title: Bee\n", LISTS),
    ("date", "title: B\n", "title: B\ndate: 2020-01-02 00:00:00 +0000\n", ()),  # the same date: shown the same
    ("day", "title: B\n", "title: B\ndate: 2020-01-05\n", LISTS),
    ("url", "title: B\n", "title: B\npermalink: /elsewhere/\n", LISTS),
    ("excerpt", "First of B.", "First of B, edited.", ("index.html",)),
    ("excerpt, same length", "First of B.", "First of X.", ("index.html",)),
    ("reading time", "Body of B.", f"Body of B. {WORDS}", ("index.html",)),
    ("image", "title: B\n", "title: B\nimage: /b.png\n", ("index.html",)),
]


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".blog-build.json"
    }


def clean(source: Path, tmp: Path) -> dict[str, bytes]:
    return tree(build(BuildOptions(source=source, destination=tmp / "clean", quiet=True)).destination)


@pytest.mark.parametrize("kept", [True, False], ids=["kept-state", "from-store"])
@pytest.mark.parametrize(("field", "old", "new", "shown_on"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_rerenders_the_generated_pages_that_show_it(
    make_site, tmp_path: Path, kept: bool, field: str, old: str, new: str, shown_on: tuple[str, ...]
) -> None:
    source = make_site(SITE)
    state, cache = BuildState(), ConversionCache()

    def run():
        if kept:
            return build(BuildOptions(source=source, quiet=True), cache=cache, state=state)
        return build(BuildOptions(source=source, quiet=True))

    first = tree(run().destination)
    post = source / B
    assert old in post.read_text()
    post.write_text(post.read_text().replace(old, new, 1))
    result = run()
    after = tree(result.destination)
    assert after == clean(source, tmp_path)
    for path in LISTS:
        assert (after[path] != first[path]) == (path in shown_on), path
        assert (path in result.report.written) == (path in shown_on), path


def test_a_body_edit_reuses_the_lists_that_do_not_show_the_body(make_site, tmp_path: Path) -> None:
    """The archive and tag pages read date, title and url of B; the body is none of them: their
    records are kept (not made again), while the home page (excerpt) is reused too when the
    first paragraph is the same."""
    source = make_site(SITE)
    state, cache = BuildState(), ConversionCache()
    build(BuildOptions(source=source, quiet=True), cache=cache, state=state)
    records = {path: state.renders[path] for path in LISTS}
    post = source / B
    post.write_text(post.read_text().replace("Body of B.", "Body of Bee."))
    result = build(BuildOptions(source=source, quiet=True), cache=cache, state=state)
    assert "2020/01/02/b/index.html" in result.report.written
    assert all(state.renders[path] is records[path] for path in LISTS)
    assert tree(result.destination) == clean(source, tmp_path)


def test_one_print_of_several_values_tells_them_apart() -> None:
    """Values whose texts run together alike, or that differ only in kind, get other prints."""
    from markupsafe import Markup

    pairs = [
        (["a\0b", "c"], ["a", "b\0c"]),
        (["ab", "c"], ["a", "bc"]),
        (["1", "2"], [1, 2]),
        (["<b>"], [Markup("<b>")]),
        (["2:x", ""], ["", "2:x"]),
        ([None], ["None"]),
    ]
    for one, other in pairs:
        assert fingerprint_values(one) != fingerprint_values(other), (one, other)
    assert fingerprint_values(["a", 1]) == fingerprint_values(["a", 1])
