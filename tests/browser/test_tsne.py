"""Browser tests of the t-SNE explorer (demos/tsne) on the built site.

Uses the shared fixtures from tests/conftest.py: `site_server` (base URL of the built site) and
`browser_page` (a Playwright page collecting console errors and failed/off-site requests in
`browser_page.errors`).
"""

from __future__ import annotations

import pytest

PlaywrightTimeoutError = pytest.importorskip("playwright.sync_api").TimeoutError

STANDALONE = "/demos/tsne/"
POST = "/2014/07/02/visualizing-top-tweeps-with-t-sne-in-Javascript/"
ROOT = ".demo-tsne"
TIMEOUT_MS = 90_000


def open_demo(page, base_url: str, path: str) -> list[str]:
    """Open a page holding the demo; returns a live list of requests that left the site."""
    offsite: list[str] = []

    def check(request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            offsite.append(request.url)

    page.on("request", check)
    page.goto(base_url + path)
    page.wait_for_selector(f"{ROOT} canvas")
    return offsite


def wait_for(page, expression: str, arg=None, timeout: int = TIMEOUT_MS) -> None:
    """Wait until `expression` (a JS function of (root, arg)) is true for the first demo root;
    on timeout, fail with the demo's state, message and the page's errors to say why."""
    try:
        page.wait_for_function(
            f"([arg]) => {{ const root = document.querySelector('{ROOT}');"
            f" return !!root && ({expression})(root, arg); }}",
            arg=[arg],
            timeout=timeout,
        )
    except PlaywrightTimeoutError:
        snapshot = page.eval_on_selector(
            ROOT, "root => ({data: {...root.dataset}, message: root.querySelector('.tsne-message')?.textContent})"
        )
        pytest.fail(f"timed out waiting for {expression} ({arg}); demo: {snapshot}; errors: {page.errors}")


def iteration(page) -> int:
    return int(page.eval_on_selector(ROOT, "root => root.dataset.iteration"))


def painted_pixels(page) -> list[int]:
    """Number of non-transparent canvas pixels and number of distinct opaque colours."""
    return page.eval_on_selector(
        f"{ROOT} canvas",
        """canvas => {
            const ctx = canvas.getContext('2d');
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            const colours = new Set();
            for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 0) painted++;
                if (data[i + 3] > 200) colours.add((data[i] >> 4) * 256 + (data[i + 1] >> 4) * 16 + (data[i + 2] >> 4));
            }
            return [painted, colours.size];
        }""",
    )


@pytest.mark.parametrize("path", [STANDALONE, POST])
def test_runs_and_draws(site_server, browser_page, path):
    page = browser_page
    offsite = open_demo(page, site_server, path)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 200")
    state = page.eval_on_selector(ROOT, "root => root.dataset.state")
    assert state in ("running", "done")
    kl = float(page.eval_on_selector(ROOT, "root => root.dataset.kl"))
    assert 0 < kl < 10
    painted, colours = painted_pixels(page)
    # Early exaggeration packs clusters tightly, so only a modest area is painted this early.
    assert painted > 100, "the scatter plot is blank"
    assert colours >= 3, "points should be coloured by label"
    status = page.inner_text(f"{ROOT} .tsne-status")
    assert "Iteration" in status and "KL" in status
    wait_for(page, "(root) => root.dataset.state === 'done'")
    assert int(page.eval_on_selector(ROOT, "root => root.dataset.iteration")) == 1000
    final_kl = float(page.eval_on_selector(ROOT, "root => root.dataset.kl"))
    assert final_kl < kl, "KL must fall between iteration 200 and the end"
    page.wait_for_timeout(100)
    assert painted_pixels(page)[0] > 2000, "the finished layout should spread the points out"
    assert offsite == []
    assert page.errors == []


def test_controls(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 20")

    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    paused_at = iteration(page)
    page.wait_for_timeout(600)
    assert iteration(page) == paused_at, "pause must stop the count"

    page.get_by_role("button", name="Step").click()
    wait_for(page, "(root, n) => Number(root.dataset.iteration) === n", paused_at + 1)
    page.wait_for_timeout(300)
    assert iteration(page) == paused_at + 1, "step advances by exactly one"
    assert page.eval_on_selector(ROOT, "root => root.dataset.state") == "paused"

    page.get_by_role("button", name="Restart").click()
    wait_for(page, "(root) => Number(root.dataset.iteration) === 0")
    page.get_by_role("button", name="Play").click()
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 10")
    assert page.errors == []


def test_controls_are_labelled(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    for label in ("Dataset", "Perplexity", "Learning rate", "Iterations", "Random seed"):
        assert page.get_by_label(label, exact=True).count() == 1, label
    assert page.locator(f"{ROOT} [id]").count() == 0, "no id attributes: two demos may share a page"


def test_hover_shows_tooltip(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 300")
    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    page.wait_for_timeout(100)
    # Find an opaque pixel (a point) and hover it in CSS coordinates.
    x, y = page.eval_on_selector(
        f"{ROOT} canvas",
        """canvas => {
            const ctx = canvas.getContext('2d');
            const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
            const rect = canvas.getBoundingClientRect();
            const scale = canvas.width / rect.width;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 200) {
                    const px = (i / 4) % canvas.width;
                    const py = Math.floor(i / 4 / canvas.width);
                    return [rect.left + px / scale, rect.top + py / scale];
                }
            }
            return [null, null];
        }""",
    )
    assert x is not None
    page.mouse.move(x, y + 1)
    tooltip = page.locator(f"{ROOT} .scatter-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "digit" in tooltip.inner_text()


def test_custom_paste_reports_ragged_row(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    page.get_by_label("Dataset", exact=True).select_option("custom")
    # The built-in sample (15 points) runs to the end first; a later paste must run again.
    wait_for(page, "(root) => root.dataset.state === 'done'")
    page.get_by_label("Vectors (CSV or TSV)").fill("1,2,3\n4,5,6\n7,8\n1,1,1\n2,2,2\n3,3,3\n")
    page.get_by_role("button", name="Embed pasted data").click()
    message = page.locator(f"{ROOT} .tsne-message")
    message.wait_for(state="visible", timeout=5_000)
    assert "line 3: expected 3 numbers, found 2" in message.inner_text()
    wait_for(page, "(root) => root.dataset.state === 'error'")

    # Fixing the paste clears the error and runs the embedding.
    good = "\n".join(f"{i % 3 * 10 + i * 0.1},{i % 3},{i * 0.01},g{i % 3}" for i in range(30))
    page.get_by_label("Vectors (CSV or TSV)").fill(good)
    page.get_by_role("button", name="Embed pasted data").click()
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 50")
    assert page.locator(f"{ROOT} .tsne-message").is_hidden()
    assert page.locator(f"{ROOT} .tsne-legend li").count() == 3
    assert page.errors == []


def canvas_digest(page) -> str:
    return page.eval_on_selector(
        f"{ROOT} canvas",
        """canvas => {
            const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
            let h = 0;
            for (let i = 0; i < data.length; i += 4) h = (h * 31 + data[i + 3] * (i % 9973)) % 2147483647;
            return String(h);
        }""",
    )


def test_wheel_zoom_drag_pan_and_reset(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 100")
    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    page.wait_for_timeout(200)
    original = canvas_digest(page)
    box = page.locator(f"{ROOT} canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(200)
    zoomed = canvas_digest(page)
    assert zoomed != original, "wheel must zoom the plot"
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 80, cy + 40, steps=5)
    page.mouse.up()
    page.wait_for_timeout(200)
    assert canvas_digest(page) not in (original, zoomed), "dragging must pan the plot"
    page.locator(f"{ROOT} canvas").dblclick()
    page.mouse.move(1, 1)  # leave the canvas: no hover ring in the comparison
    page.wait_for_timeout(200)
    assert canvas_digest(page) == original, "double-click resets the view"
    assert page.errors == []
