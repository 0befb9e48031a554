"""What a no-op `blog build` holds (issue #19): neither every post's converted HTML (the
conversion cache's rows are read when looked up, not all at prefetch), nor a second copy of every
document's JSON (the source index reads it from `.blog-cache/` when decoding), nor what every stored
render read (the render store reads each row's JSON with its bytes). Each test compares two sites
alike but for one quantity, measured with tracemalloc in a new interpreter, after cold builds made
outside the count; the bounds are fractions of that quantity, so coverage's overhead cancels out."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from generator.incremental.store import STATE_FILE
from tests.memory_probe import no_op_peak_difference
from tests.test_build_memory import corpus

REPO = Path(__file__).resolve().parent.parent
POSTS = 200


def test_a_no_op_build_holds_about_one_copy_of_each_post(tmp_path: Path) -> None:
    """Two sites alike but for every post's length (~20 KB more text, so ~20 KB more HTML). Before,
    a no-op held each post's body, its JSON in the source index and its converted HTML (prefetch
    read every cached row into memory): three copies and more per post. Now the body alone (until
    it is converted, and again when given back at the end)."""
    layout = "<html><body>{{ content }}</body></html>\n"
    padding = "Some words of a long post. " * 750  # ~20 KB of text, a paragraph of HTML
    plain = corpus(tmp_path / "plain", POSTS, layout)
    padded = corpus(tmp_path / "padded", POSTS, layout, "Paragraph {n} with *some* text.\n\n" + padding + "\n")
    per_post = no_op_peak_difference(plain, padded) / POSTS
    html = (padded / "_site" / "2020" / "01" / "01" / "post-0.html").read_text()
    assert html.count("Some words") == 750, "the padding is not in the page: the bound means nothing"
    # Before: 60.0 KB per post here (2.96 paddings). Now 19.6 KB (0.97: the body).
    assert per_post < 2 * len(padding), f"{per_post:.0f} bytes of peak memory per post for {len(padding)} more"


def test_a_no_op_build_does_not_hold_what_every_render_read(tmp_path: Path) -> None:
    """Two sites alike but for what each page read: every post page lists every post's title, so
    each stored render names POSTS (document, key) pairs, megabytes of JSON in all. Before, a no-op
    fetched every row's JSON at once (with the own prints), and held it until the build ended; now
    it is read with the row, one page at a time."""
    listing = "{% for p in site.posts %}<i>{{ p.title }}</i>{% endfor %}"
    looping = "{% for p in site.posts %}<i></i>{% endfor %}"  # the same loop, reading no post's key
    reads = corpus(tmp_path / "reads", POSTS, f"<html><body>{{{{ content }}}}{listing}</body></html>\n")
    plain = corpus(tmp_path / "plain", POSTS, f"<html><body>{{{{ content }}}}{looping}</body></html>\n")
    grow = no_op_peak_difference(plain, reads)
    with sqlite3.connect(reads / ".blog-cache" / STATE_FILE) as db:
        (read_json,) = db.execute("SELECT sum(length(docs)) FROM renders").fetchone()
    assert read_json > POSTS * POSTS * 40, "the pages read few keys: the bound means nothing"
    # Before: 2,953,251 bytes more for 2,952,754 of JSON (all of it). Now 760 bytes.
    assert grow < read_json / 4, f"{grow} bytes more peak memory for {read_json} bytes of stored reads"


def test_a_no_op_build_gives_back_every_body_from_the_stored_rows(tmp_path: Path) -> None:
    """Bodies let go of during the render phase come back from the source index's stored rows,
    read ahead AHEAD at a time in both directions (loaded oldest first, given back newest first):
    more posts than one read-ahead window, one file touched (same bytes: its row updated in place)
    and one edited, and every returned body is the file's own."""
    from generator.build import BuildOptions, build
    from generator.incremental.sources import AHEAD

    site = corpus(tmp_path / "site", AHEAD * 2 + 44, "<html><body>{{ content }}</body></html>\n")
    build(BuildOptions(source=site))
    posts = sorted((site / "_posts").iterdir())
    os.utime(posts[7], ns=(10**18, 10**18))  # touched: a new stat, the same bytes
    posts[200].write_text(posts[200].read_text() + "\nEdited.\n")
    for _ in range(2):  # the touch and the edit, then a no-op reading the rows they rewrote
        result = build(BuildOptions(source=site))
        bodies = {post.source.path.name: post.body for post in result.site.posts}
        assert len(bodies) == len(posts)
        for path in posts:
            assert bodies[path.name] == path.read_text().split("---\n", 2)[2], path.name
