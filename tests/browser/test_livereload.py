"""Live reload in a real browser: `blog serve --watch` on a temp copy of a small site, a Chromium
page on one of its posts, and edits made on disk while the test never touches the page.

Markdown edit -> the new text appears (refreshed in place, or reloaded when the page has scripts of
its own, scroll position kept); CSS edit -> the new
style applies with no navigation (a window marker survives); broken front matter -> an overlay
naming file and line; fix -> the overlay goes; server restart while broken -> the reconnecting page
is shown the overlay again."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import BuildOptions
from generator.serve.server import DevServer

pytestmark = pytest.mark.browser

POST = "_posts/2021-03-04-live.md"
FILLER = "\n\n".join(f"Filler paragraph {i} to make the page tall enough to scroll." for i in range(80))
FILES = {
    "_config.yml": "title: Live site\npermalink: pretty\n",
    "_layouts/default.html": '<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><link rel=icon href="data:,"><title>{{ page.title }}</title>'
    "<link rel=stylesheet href=\"{{ '/assets/site.css' | relative_url }}\"></head>"
    "<body><main>{{ content }}</main></body></html>\n",
    POST: f"---\ntitle: Live\nlayout: default\n---\nFIRST-VERSION of the text.\n\n{FILLER}\n",
    "_posts/2021-03-05-other.md": "---\ntitle: Other\nlayout: default\n---\nThe other post.\n",
    "assets/site.css": "body { color: rgb(10, 20, 30); }\n",
    "scripted.html": "---\ntitle: Scripted\nlayout: default\n---\n<p>SCRIPTED-ONE</p>"
    "<script>document.body.dataset.ran = 'yes';</script>\n",
}
WAIT = 15_000  # ms; generous for a busy 2-core machine


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(source: Path, port: int) -> DevServer:
    server = DevServer(BuildOptions(source=source), port=port, watch=True, quiet_period=0.05, log=lambda m: None)
    server.start()
    return server


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[tuple[Path, DevServer]]:
    source = tmp_path / "site"
    for relative, text in FILES.items():
        write(source, relative, text)
    server = start(source, free_port())
    yield source, server
    server.stop()


def page_errors(page) -> list[str]:
    # Reloading aborts the page's open event stream; that is expected, not an error.
    return [e for e in page.errors if "/__blog/events" not in e]


OVERLAY_TEXT = "() => document.querySelector('blog-build-error')?.shadowRoot.textContent || ''"


def test_edits_on_disk_reach_the_open_page(browser_page, live_site: tuple[Path, DevServer]) -> None:
    source, server = live_site
    page = browser_page
    page.goto(server.url + "2021/03/04/live/")
    page.wait_for_function("() => document.body.textContent.includes('FIRST-VERSION')")
    page.wait_for_function("() => window.scrollTo(0, 900) || window.scrollY === 900")

    # Markdown: the page reloads by itself, shows the new text, keeps its scroll position.
    write(source, POST, FILES[POST].replace("FIRST-VERSION", "SECOND-VERSION"))
    page.wait_for_function("() => document.body.textContent.includes('SECOND-VERSION')", timeout=WAIT)
    page.wait_for_function("() => Math.abs(window.scrollY - 900) < 5", timeout=WAIT)

    # CSS only: the new style applies without any navigation.
    page.evaluate("() => { window.__liveMarker = 'still here'; }")
    write(source, "assets/site.css", "body { color: rgb(200, 100, 50); }\n")
    page.wait_for_function("() => getComputedStyle(document.body).color === 'rgb(200, 100, 50)'", timeout=WAIT)
    assert page.evaluate("() => window.__liveMarker") == "still here"
    assert page.evaluate("() => document.querySelectorAll('link[rel=stylesheet]').length") == 1

    # A broken front matter: an overlay with file and line; the last good page stays underneath.
    write(source, POST, FILES[POST].replace("title: Live", "title: [Live").replace("FIRST", "THIRD"))
    page.wait_for_function(f"() => ({OVERLAY_TEXT})().includes('{POST}:')", timeout=WAIT)
    overlay = page.evaluate(OVERLAY_TEXT)
    assert "YAML" in overlay and f"{POST}:" in overlay
    assert page.evaluate("() => window.__liveMarker") == "still here"  # no reload for a failed build

    # Fixed: the overlay goes and the fixed text arrives.
    write(source, POST, FILES[POST].replace("FIRST", "FOURTH"))
    page.wait_for_function("() => document.body.textContent.includes('FOURTH-VERSION')", timeout=WAIT)
    page.wait_for_function(f"() => ({OVERLAY_TEXT})() === ''", timeout=WAIT)
    assert page_errors(page) == []


def test_overlay_is_escaped_and_resent_after_a_restart(browser_page, tmp_path: Path) -> None:
    source = tmp_path / "site"
    for relative, text in FILES.items():
        write(source, relative, text)
    port = free_port()
    server = start(source, port)
    page = browser_page
    try:
        page.goto(server.url + "2021/03/04/live/")
        page.wait_for_function("() => document.body.textContent.includes('FIRST-VERSION')")
        server.stop()
        # While the server is down the post breaks, with markup inside the error message.
        write(source, POST, '---\ntitle: T\nlayout: "<img src=x onerror=window.__owned=1>"\n---\nText\n')
        server = start(source, port)
        page.wait_for_function(f"() => ({OVERLAY_TEXT})().includes('{POST}:')", timeout=WAIT)
        assert "<img src=x" in page.evaluate(OVERLAY_TEXT)  # shown as text...
        assert page.evaluate("() => window.__owned") is None  # ...never run as markup
        assert page.evaluate("() => document.querySelector('blog-build-error').shadowRoot.querySelector('img')") is None
        write(source, POST, FILES[POST])
        page.wait_for_function(f"() => ({OVERLAY_TEXT})() === ''", timeout=WAIT)
    finally:
        server.stop()


def test_only_pages_whose_html_changed_reload(browser, live_site: tuple[Path, DevServer]) -> None:
    source, server = live_site
    context = browser.new_context()
    try:
        edited, other = context.new_page(), context.new_page()
        edited.goto(server.url + "2021/03/04/live/")
        other.goto(server.url + "2021/03/05/other/")
        for page in (edited, other):
            page.wait_for_function("() => document.body.textContent.length > 0")
            page.evaluate("() => { window.__liveMarker = 'kept'; document.body.dataset.liveMarker = 'kept'; }")
        write(source, POST, FILES[POST].replace("FIRST", "FIFTH"))
        edited.wait_for_function("() => document.body.textContent.includes('FIFTH-VERSION')", timeout=WAIT)
        # A page without scripts of its own is refreshed in place: same window, and what a script
        # did to the parts the edit did not touch (here an attribute of <body>) stays.
        assert edited.evaluate("() => document.body.dataset.liveMarker") == "kept"
        assert edited.evaluate("() => window.__liveMarker") == "kept"
        other.wait_for_timeout(500)
        assert other.evaluate("() => window.__liveMarker") == "kept"  # its HTML did not change
        assert other.evaluate("() => document.body.dataset.liveMarker") == "kept"
        # A change to an asset a page may use reloads (or restyles) every page.
        write(source, "assets/site.css", "body { color: rgb(1, 2, 3); }\n")
        other.wait_for_function("() => getComputedStyle(document.body).color === 'rgb(1, 2, 3)'", timeout=WAIT)
    finally:
        context.close()


def test_a_page_with_its_own_scripts_is_reloaded_so_they_run_again(browser_page, live_site) -> None:
    source, server = live_site
    page = browser_page
    page.goto(server.url + "scripted/")
    page.wait_for_function("() => document.body.dataset.ran === 'yes'")
    page.evaluate("() => { window.__liveMarker = 'kept'; }")
    write(source, "scripted.html", FILES["scripted.html"].replace("SCRIPTED-ONE", "SCRIPTED-TWO"))
    page.wait_for_function("() => document.body.textContent.includes('SCRIPTED-TWO')", timeout=WAIT)
    page.wait_for_function("() => document.body.dataset.ran === 'yes'", timeout=WAIT)
    assert page.evaluate("() => window.__liveMarker") is None  # a real reload: the script ran again
    assert page_errors(page) == []


# The page's <main> equals the served one. A preview shows an edit before its build is committed
# (serve/preview.py) and the server keeps serving the last good build until then, so the served
# page is polled until the build lands; a page that differs from what the build wrote never matches.
PAGE_IS_SERVED = """async () => {
    const html = await (await fetch(location.href, { cache: 'no-store' })).text();
    const served = new DOMParser().parseFromString(html, 'text/html').querySelector('main').outerHTML;
    return served === document.querySelector('main').outerHTML;
}"""


def wait_until_page_is_served(page) -> None:
    page.wait_for_function(PAGE_IS_SERVED, polling=50, timeout=WAIT)


def test_an_edit_patches_only_what_changed_and_a_new_stylesheet_reloads(browser_page, live_site) -> None:
    """In place: the nodes the edit did not touch are the very same nodes (their images and
    formulas are not made again), the page equals the served HTML, the scroll position stays. A
    layout that now names another stylesheet in <head> is a real reload, which applies it."""
    source, server = live_site
    page = browser_page
    page.goto(server.url + "2021/03/04/live/")
    page.wait_for_function("() => document.body.textContent.includes('FIRST-VERSION')")
    page.wait_for_function("() => window.scrollTo(0, 900) || window.scrollY === 900")
    page.evaluate(
        """() => {
        window.__liveMarker = 'kept';
        document.querySelector('main p:last-of-type').__untouched = true;
        // What a script of the page may do to a node the edit leaves alone: kept.
        document.querySelectorAll('main p')[1].setAttribute('data-opened', 'yes');
        window.__added = [];
        new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(
            (n) => window.__added.push(n.nodeName)))).observe(document.body, { childList: true, subtree: true });
    }"""
    )
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    write(source, POST, FILES[POST].replace("FIRST-VERSION", "SIXTH-VERSION"))
    page.wait_for_function("() => document.body.textContent.includes('SIXTH-VERSION')", timeout=WAIT)
    assert requested == []  # the page's new HTML came with the reload event: nothing fetched
    assert page.evaluate("() => window.__liveMarker") == "kept"
    assert page.evaluate("() => document.querySelector('main p:last-of-type').__untouched") is True
    assert page.evaluate("() => window.__added") == ["#text"]  # the edited paragraph's text, nothing else
    assert page.evaluate("() => document.querySelectorAll('main p')[1].dataset.opened") == "yes"
    page.evaluate("() => document.querySelectorAll('main p')[1].removeAttribute('data-opened')")
    assert abs(page.evaluate("() => window.scrollY") - 900) < 5
    wait_until_page_is_served(page)

    # A paragraph added in the middle and one removed: still in place, still the served tree.
    text = FILES[POST].replace("SECOND", "X").replace("Filler paragraph 3 ", "A new paragraph.\n\nFiller 3 ")
    write(source, POST, text.replace("Filler paragraph 7 to make the page tall enough to scroll.\n\n", ""))
    page.wait_for_function("() => document.body.textContent.includes('A new paragraph.')", timeout=WAIT)
    assert page.evaluate("() => window.__liveMarker") == "kept"
    assert "Filler paragraph 7 " not in page.evaluate("() => document.body.textContent")
    wait_until_page_is_served(page)

    # The layout names a second stylesheet: a real reload (the marker goes), and the style applies.
    write(source, "assets/extra.css", "main { color: rgb(7, 8, 9); }\n")
    layout = FILES["_layouts/default.html"].replace(
        "</head>", "<link rel=stylesheet href=\"{{ '/assets/extra.css' | relative_url }}\"></head>"
    )
    write(source, "_layouts/default.html", layout)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('main')).color === 'rgb(7, 8, 9)'", timeout=WAIT
    )
    assert page.evaluate("() => window.__liveMarker") is None
    page.wait_for_function("() => Math.abs(window.scrollY - 900) < 5", timeout=WAIT)
    assert page_errors(page) == []
