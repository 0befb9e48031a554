"""A reload event carries the changed pages' HTML when few changed (serve/server.py
`pushed_pages`): the open page patches itself without fetching. What it carries is the file on
disk, byte for byte; many changed pages carry none (the pages fetch)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.request import urlopen

from generator.build import BuildOptions
from generator.serve.pushed import PUSHED_PAGES, pushed_pages
from generator.serve.server import DevServer
from generator.serve.watch import ChangeSet


def test_a_post_edit_event_carries_its_page_as_written(tmp_path: Path) -> None:
    source = tmp_path / "site"
    (source / "_posts").mkdir(parents=True)
    (source / "_config.yml").write_text("title: Push\nbaseurl: /blog\n")
    post = source / "_posts/2020-01-01-a.md"
    post.write_text("---\ntitle: A\n---\nFirst é.\n")
    server = DevServer(BuildOptions(source=source), port=0, watch=False, log=lambda message: None)
    server.start()
    try:
        client = server.hub.subscribe()
        client.get(timeout=5)  # hello
        post.write_text("---\ntitle: A\n---\nSecond é, edited.\n")
        server.on_changes(ChangeSet.of([post], source))
        message = client.get(timeout=5).decode()  # first the edited page alone (serve/preview.py)
        assert message.startswith("event: preview\n")
        preview = json.loads(message.split("data: ", 1)[1])
        message = client.get(timeout=5).decode()
        assert message.startswith("event: reload\n")
        data = json.loads(message.split("data: ", 1)[1])
        page = "2020/01/01/a.html"
        assert preview["paths"] == [f"/blog/{page}"]
        # The same page, but for the client's build id (the preview's build is not committed yet).
        shown, final = preview["pages"][f"/blog/{page}"], data["pages"][f"/blog/{page}"]
        assert list(preview["pages"]) == [f"/blog/{page}"] and data["build"] not in shown
        assert shown.replace(f'data-build="{preview["build"]}"', f'data-build="{data["build"]}"') == final
        assert f"/blog/{page}" in data["paths"]
        # (the home page lists the post's excerpt; the feed changed too: not HTML, not carried)
        assert sorted(data["pages"]) == [f"/blog/{page}", "/blog/index.html"]
        for path, text in data["pages"].items():  # what a request for the page gets
            assert text.encode() == urlopen(server.url.removesuffix("/blog/") + path).read()
        assert "Second é, edited." in data["pages"][f"/blog/{page}"]
    finally:
        server.stop()


def test_many_changed_pages_are_not_carried(tmp_path: Path) -> None:
    names = [f"p{n}.html" for n in range(PUSHED_PAGES + 1)]
    for name in names:
        (tmp_path / name).write_text(f"<p>{name}</p>")
    assert pushed_pages(tmp_path, "", names) == {}
    assert pushed_pages(tmp_path, "", names[:2]) == {"/p0.html": "<p>p0.html</p>", "/p1.html": "<p>p1.html</p>"}
    assert pushed_pages(tmp_path, "", ["gone.html", "feed.xml"]) == {}
