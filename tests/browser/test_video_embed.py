"""Click-to-load videos (assets/js/video.js): the RL and selfie posts show a local poster in a plain
link; nothing is requested from YouTube until the reader clicks, and then the player comes from
youtube-nocookie.com. The player request is answered locally, so the test needs no network."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/2016/05/31/rl/", "/2015/10/25/selfie/"]


@pytest.mark.parametrize("path", PAGES)
def test_video_loads_only_on_click(site_server: str, browser_page, path: str) -> None:
    page = browser_page
    youtube: list[str] = []
    page.on("request", lambda request: youtube.append(request.url) if "youtube" in request.url else None)
    page.route(
        "**/*youtube*/**", lambda route: route.fulfill(status=200, body="<p>player</p>", content_type="text/html")
    )
    page.goto(site_server + path)
    page.wait_for_load_state("networkidle")
    link = page.locator("a.video-embed")
    assert link.count() == 1
    poster = link.locator("img")
    poster.scroll_into_view_if_needed()  # the poster loads lazily, like every image after a page's first
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=poster.element_handle(), timeout=10_000
    )  # fails with a timeout when the local poster does not load
    assert link.get_attribute("href").startswith("https://www.youtube.com/watch?v="), "no plain link to the video"
    assert youtube == [], f"requested before the click (even with the poster in view): {youtube}"
    assert page.errors == []

    link.click()
    frame = page.locator("iframe.video-player")
    frame.wait_for()
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    assert page.locator("a.video-embed").count() == 0
    page.wait_for_function("() => true")
    assert youtube and all("youtube-nocookie.com" in url for url in youtube), youtube
