"""Images in Chromium, on the 16 documents rebuilt from the author's originals, at a desktop and a
phone viewport: every <img> loads (lazy ones once scrolled to), the browser picks a WebP variant
where the pipeline made one, and images cause no layout shift while they load (they carry their
width and height, generator/render/images.py)."""

from __future__ import annotations

import contextlib

import csv
import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import REPO, QuietHandler

pytestmark = pytest.mark.browser

TABLE = REPO / "tests" / "data" / "seed" / "posts.tsv"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# Layout shifts are summed as Chromium reports them (the CLS definition without session windows).
# Images without a reserved box shift the text below them by far more than this.
MOST_SHIFT = 0.02

WATCH_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shifts.push(entry.value);
  }
}).observe({type: "layout-shift", buffered: true});
"""


class SlowImages(QuietHandler):
    """Images arrive a second late, as on a slow network: the text has been laid out by then, so
    an image without a reserved box pushes it down, and Chromium records the shift."""

    def do_GET(self) -> None:
        if self.path.split("?")[0].lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")):
            time.sleep(1.0)
        super().do_GET()


@pytest.fixture(scope="module")
def slow_server(repo_site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SlowImages, directory=str(repo_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def document_urls() -> list[str]:
    with open(TABLE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    urls = []
    for row in rows:
        if row["permalink"]:
            urls.append(row["permalink"])
        else:
            year, month, day = row["date"].split("-")
            urls.append(f"/{year}/{month}/{day}/{row['slug']}/")
    return urls


URLS = document_urls()


def test_the_table_names_the_sixteen_documents() -> None:
    assert len(URLS) == 16


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
@pytest.mark.parametrize("path", URLS)
def test_every_image_loads_without_shifting_the_layout(browser, slow_server: str, path: str, viewport: str) -> None:
    """Checked to fail without the pipeline (`images: {enabled: false}`): the RNN post then shifts
    by ~0.07 at 390 px, the selfie post by ~0.03 at 1280 px."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.add_init_script(WATCH_SHIFTS)
    try:
        page.goto(slow_server + path, wait_until="domcontentloaded")  # images are still on their way
        count = page.evaluate("document.images.length")
        for index in range(count):  # bring every image to the top of the view while it loads, as a reader would
            page.evaluate("i => document.images[i].scrollIntoView({block: 'start'})", index)
            page.wait_for_function("i => document.images[i].complete", arg=index, timeout=10_000)
        page.wait_for_load_state("networkidle")
        # A demo mounting above an image can push it back out of view before its lazy load started:
        # bring every image not yet loaded into view again (one at a time) and give it time.
        for index in page.evaluate("[...document.images].flatMap((i, n) => i.naturalWidth > 0 ? [] : [n])"):
            page.evaluate("i => document.images[i].scrollIntoView({block: 'center'})", index)
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function("i => document.images[i].naturalWidth > 0", arg=index, timeout=10_000)
        broken = page.evaluate(
            "[...document.images].filter(i => !(i.naturalWidth > 0)).map(i => i.currentSrc || i.src)"
        )
        # (A request Chromium aborts and retries, e.g. a lazy image re-prioritised while scrolling,
        # is fine as long as the image ends up loaded: failed requests only explain a failure.)
        assert broken == [], f"images that did not load: {broken}; failed requests: {failed}"
        unsized = page.evaluate(
            "[...document.querySelectorAll('.prose img')].filter(i => !i.closest('.demo-embed')"
            " && !i.getAttribute('width') && !i.src.endsWith('.svg')).map(i => i.src)"
        )
        assert unsized == [], f"images without a reserved box: {unsized}"
        shift = page.evaluate("window.__shifts.reduce((a, b) => a + b, 0)")
        assert shift < MOST_SHIFT, f"layout shifted by {shift:.3f} while images loaded"
        chosen = page.evaluate("[...document.querySelectorAll('picture img')].map(i => i.currentSrc)")
        assert all(src.endswith(".webp") for src in chosen), f"a <picture> fell back to the original: {chosen}"
    finally:
        context.close()
