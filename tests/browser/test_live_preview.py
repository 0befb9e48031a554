"""The edited page first, in a real browser (serve/preview.py, serve/livereload.js): the open page
shows an edit from the `preview` event, before its build is committed; when that build then fails,
the page goes back to the last good build's page under the overlay (a failed build never leaves
its page on screen), and the server never served the failed build's page; a good edit after that
shows in place with no request, and the page equals what the server serves. The server runs as the
CLI starts it: the edited file's markdown converted ahead in a worker process (serve/ahead.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildOptions
from generator.serve.server import DevServer
from tests.browser.test_livereload import FILES, OVERLAY_TEXT, POST, WAIT, free_port, page_errors, write
from tests.test_serve_preview import FAIL_LATER

pytestmark = pytest.mark.browser

SERVED_MAIN = """async () => new DOMParser().parseFromString(await (await fetch(location.href, {cache: 'no-store'})).text(),
    'text/html').querySelector('main').outerHTML"""


def test_a_preview_is_taken_back_when_its_build_fails(browser_page, tmp_path: Path) -> None:
    source = tmp_path / "site"
    for relative, text in {**FILES, "_plugins/fail_later.py": FAIL_LATER}.items():
        write(source, relative, text)
    server = DevServer(BuildOptions(source=source), port=free_port(), quiet_period=0.05, convert_ahead=True)
    server.log = lambda message: None
    server.start()
    assert server.rebuilder.ahead is not None and server.rebuilder.ahead.wait_ready()  # (spawned: slow when busy)
    try:
        page = browser_page
        page.goto(server.url + "2021/03/04/live/")
        page.wait_for_function("() => document.body.textContent.includes('FIRST-VERSION')")
        page.evaluate(
            """() => {
            window.__sawPreview = false;
            new MutationObserver(() => {
                if (document.body.textContent.includes('FAIL-LATER')) window.__sawPreview = true;
            }).observe(document.body, { childList: true, subtree: true, characterData: true });
        }"""
        )
        good_main = page.evaluate("() => document.querySelector('main').outerHTML")
        write(source, POST, FILES[POST].replace("FIRST-VERSION", "FAIL-LATER-VERSION"))
        page.wait_for_function(f"() => ({OVERLAY_TEXT})().includes('failing after the pages were made')", timeout=WAIT)
        page.wait_for_function("() => !document.body.textContent.includes('FAIL-LATER')", timeout=WAIT)
        assert page.evaluate("() => window.__sawPreview") is True  # shown before the build failed
        assert page.evaluate("() => document.querySelector('main').outerHTML") == good_main
        assert page.evaluate(SERVED_MAIN) == good_main  # the server kept the last good build

        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        write(source, POST, FILES[POST].replace("FIRST-VERSION", "GOOD-VERSION"))
        page.wait_for_function("() => document.body.textContent.includes('GOOD-VERSION')", timeout=WAIT)
        page.wait_for_function(f"() => ({OVERLAY_TEXT})() === ''", timeout=WAIT)
        assert requested == []
        page.wait_for_function(
            "(served) => document.querySelector('main').outerHTML === served",
            arg=page.evaluate(SERVED_MAIN),
            timeout=WAIT,
        )
        assert page_errors(page) == []
        assert server.rebuilder.ahead.submitted >= 2  # (each edit's text, once)
    finally:
        server.stop()
