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


def open_demo(page, base_url: str, path: str, scroll: bool = True) -> list[str]:
    """Open a page holding the demo; returns a live list of requests that left the site.
    With `scroll`, the plot is scrolled into view (the demo only runs while on screen)."""
    offsite: list[str] = []

    def check(request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            offsite.append(request.url)

    page.on("request", check)
    page.goto(base_url + path)
    page.wait_for_selector(f"{ROOT} canvas")
    if scroll:
        page.locator(f"{ROOT} .tsne-plot").scroll_into_view_if_needed()
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


def assert_both_neighbour_lists(page, described: str) -> None:
    """The panel shows the shown point's 5 nearest in 64-D and in 2-D, and how many are shared."""
    panel = page.locator(f"{ROOT} .tsne-neighbours")
    page.wait_for_function(
        "root => root.querySelectorAll('.tsne-nlist-high li').length === 5", arg=panel.element_handle(), timeout=5_000
    )
    summary = panel.locator(".tsne-kept").inner_text()
    point = int(panel.get_attribute("data-point"))
    assert described.split(" (")[0] in summary, (described, summary)
    assert f"(sample {point + 1})" in summary
    high = panel.locator(".tsne-nlist-high li").evaluate_all("lis => lis.map(li => Number(li.dataset.index))")
    low = panel.locator(".tsne-nlist-low li").evaluate_all("lis => lis.map(li => Number(li.dataset.index))")
    assert len(high) == len(low) == 5 and point not in high and point not in low
    shared = set(high) & set(low)
    kept = int(panel.get_attribute("data-kept"))
    assert kept == len(shared)
    assert f": {kept} of its 5 nearest neighbours in 64-D" in summary
    # Shared entries say so in words, in both lists.
    marked = panel.locator("li.tsne-shared").evaluate_all("lis => lis.map(li => Number(li.dataset.index))")
    assert sorted(marked) == sorted([*shared, *shared])
    assert panel.locator(".tsne-both").count() == 2 * kept
    # The high-D list is checked against the data itself: the 5 smallest 64-D distances.
    expected = page.evaluate(
        """async (i) => {
            const url = [...performance.getEntriesByType('resource')].map(e => e.name).find(n => /digits\\.[0-9a-f]+\\.json$/.test(n));
            const { X } = await (await fetch(url)).json();
            const d = (j) => X[i].reduce((s, v, k) => s + (v - X[j][k]) ** 2, 0);
            return [...X.keys()].filter(j => j !== i).sort((a, b) => d(a) - d(b) || a - b).slice(0, 5);
        }""",
        point,
    )
    assert high == expected


def test_hover_shows_high_d_and_2d_neighbours(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 300")
    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    page.wait_for_timeout(100)
    x, y = first_point(page)
    page.mouse.move(x, y + 1)
    tooltip = page.locator(f"{ROOT} .scatter-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert_both_neighbour_lists(page, tooltip.inner_text())
    # Leaving the plot (nothing pinned) goes back to the hint.
    page.mouse.move(1, 1)
    page.wait_for_function("() => !document.querySelector('.demo-tsne .tsne-neighbours').dataset.point", timeout=5_000)
    assert "Hover over or tap a point" in page.inner_text(f"{ROOT} .tsne-neighbours")
    assert page.errors == []


def test_digit_glyphs_toggle(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    toggle = page.get_by_label("Draw digits as their 8×8 images")
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 300")
    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    assert not toggle.is_checked(), "glyphs are off by default"
    assert page.eval_on_selector(ROOT, "root => root.dataset.glyphs") == "off"
    page.mouse.move(1, 1)
    page.wait_for_timeout(100)
    dots = canvas_digest(page)
    dots_painted = painted_pixels(page)[0]
    toggle.check()
    wait_for(page, "(root) => root.dataset.glyphs === 'on'")
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    assert canvas_digest(page) != dots
    # 14 px glyphs cover more of the plot than 3 px dots.
    assert painted_pixels(page)[0] > 1.5 * dots_painted
    toggle.uncheck()
    wait_for(page, "(root) => root.dataset.glyphs === 'off'")
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    assert canvas_digest(page) == dots
    # Data that are not 8×8 images have no such option.
    page.select_option(f"{ROOT} select[name=dataset]", "custom")
    wait_for(page, "(root) => root.querySelectorAll('.tsne-legend li').length === 3")
    assert toggle.is_hidden()
    assert page.errors == []


def compare_iterations(page) -> list[int]:
    return [int(v) for v in page.get_attribute(f"{ROOT} .tsne-compare", "data-iterations").split(",")]


def test_perplexity_side_by_side(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    toggle = page.get_by_role("button", name="Compare perplexities 5 / 30 / 100")
    assert page.locator(f"{ROOT} .tsne-compare").is_hidden(), "closed by default"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.locator(f"{ROOT} .tsne-compare").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('.demo-tsne .tsne-compare').dataset.iterations.split(',').every(v => +v >= 30)",
        timeout=TIMEOUT_MS,
    )
    captions = page.locator(f"{ROOT} .tsne-compare figcaption").all_inner_texts()
    assert [c.split(" ·")[0] for c in captions] == ["Perplexity 5", "Perplexity 30", "Perplexity 100"]
    assert page.locator(f"{ROOT} .tsne-compare canvas").count() == 3
    # Pause stops all three.
    page.get_by_role("button", name="Pause all three").click()
    page.wait_for_function("() => document.querySelector('.demo-tsne .tsne-compare').dataset.state === 'paused'")
    stopped = compare_iterations(page)
    page.wait_for_timeout(500)
    assert compare_iterations(page) == stopped
    page.get_by_role("button", name="Play all three").click()
    page.wait_for_function(
        "(n) => document.querySelector('.demo-tsne .tsne-compare').dataset.iterations.split(',').every((v, k) => +v > n[k])",
        arg=stopped,
        timeout=TIMEOUT_MS,
    )
    # Scrolled away: the three pause too.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_function("() => document.querySelector('.demo-tsne .tsne-compare').dataset.state === 'paused'")
    # Closing it ends the runs.
    toggle.click()
    assert page.get_attribute(f"{ROOT} .tsne-compare", "data-state") == "empty"
    assert page.errors == []


def test_perplexity_side_by_side_waits_for_play_with_reduced_motion(site_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(site_server + STANDALONE)
        page.wait_for_selector(f"{ROOT} canvas")
        page.select_option(f"{ROOT} select[name=dataset]", "custom")  # 15 points: quick
        page.get_by_role("button", name="Compare perplexities 5 / 30 / 100").click()
        page.locator(f"{ROOT} .tsne-compare").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.demo-tsne .tsne-compare figcaption')].every(f => /KL/.test(f.textContent))"
        )
        assert compare_iterations(page) == [0, 0, 0]
        assert page.get_attribute(f"{ROOT} .tsne-compare", "data-state") == "paused"
        page.get_by_role("button", name="Play all three").click()
        page.wait_for_function(
            "() => document.querySelector('.demo-tsne .tsne-compare').dataset.iterations.split(',').every(v => +v > 0)"
        )
        # 15 points support a perplexity of at most (15 - 1) / 3: the captions say so.
        captions = page.locator(f"{ROOT} .tsne-compare figcaption").all_inner_texts()
        assert captions[2].startswith("Perplexity 100 (reduced to 4.67 for 15 points)")
    finally:
        context.close()


def test_distance_matrix_input(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    page.select_option(f"{ROOT} select[name=dataset]", "distances")
    wait_for(page, "(root) => root.dataset.state === 'done'")
    assert "distance matrix" in page.inner_text(f"{ROOT} .tsne-info")
    assert page.locator(f"{ROOT} .tsne-legend li").count() == 3
    assert painted_pixels(page)[0] > 0
    matrix = page.get_by_label("Distance matrix (CSV or TSV)")
    good = matrix.input_value()
    matrix.fill("0,1,2,3,4\n1,0,1,2,3\n2,1,0,1,2\n3,2,1,0,1\n4,3,2,-1,0")
    page.get_by_role("button", name="Embed distance matrix").click()
    wait_for(page, "(root) => root.dataset.state === 'error'")
    assert "line 5, column 4: distance -1 is negative" in page.inner_text(f"{ROOT} .tsne-message")
    assert page.locator(f"{ROOT} .tsne-legend li").count() == 0
    assert page.inner_text(f"{ROOT} .tsne-status") == ""
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    assert painted_pixels(page)[0] == 0
    matrix.fill(good)
    page.get_by_role("button", name="Embed distance matrix").click()
    wait_for(page, "(root) => root.dataset.state === 'done'")
    assert page.locator(f"{ROOT} .tsne-message").is_hidden()
    assert page.errors == []


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


def test_does_not_start_until_scrolled_into_view(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, POST, scroll=False)
    assert page.evaluate("() => window.scrollY") == 0
    # The affinities are computed (the worker reported them), but no step is taken off screen.
    wait_for(page, "(root) => /affinities in/.test(root.querySelector('.tsne-info').textContent)")
    wait_for(page, "(root) => root.dataset.kl !== undefined && root.dataset.kl !== ''")
    assert page.eval_on_selector(ROOT, "root => root.dataset.onScreen") == "false"
    assert iteration(page) == 0
    assert page.eval_on_selector(ROOT, "root => root.dataset.state") == "paused"
    page.locator(f"{ROOT} .tsne-plot").scroll_into_view_if_needed()
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 50")
    # Scrolled away again: it pauses (and resumes when back).
    page.evaluate("() => window.scrollTo(0, 0)")
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    stopped = iteration(page)
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    assert iteration(page) == stopped
    page.locator(f"{ROOT} .tsne-plot").scroll_into_view_if_needed()
    wait_for(page, "(root, n) => Number(root.dataset.iteration) > n", stopped)
    assert page.errors == []


def test_reduced_motion_waits_for_play(site_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(site_server + STANDALONE)
        page.wait_for_selector(f"{ROOT} canvas")
        wait_for(page, "(root) => /affinities in/.test(root.querySelector('.tsne-info').textContent)")
        assert iteration(page) == 0
        assert page.eval_on_selector(ROOT, "root => root.dataset.state") == "paused"
        page.get_by_role("button", name="Play").click()
        wait_for(page, "(root) => Number(root.dataset.iteration) > 0")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("paste", "expected"),
    [
        ("\n".join(["1,2,3"] * 20), "all 20 rows are the same vector"),
        ("1,2\n3,4\n5,1e200\n7,8\n9,10", "line 3, column 2: 1e200 is too large"),
        ("1,2,NaN\n3,4,NaN\n5,6,NaN\n7,8,NaN\n9,1,NaN", "column 3: every line has 'NaN'"),
        ("Dear reader,\nthis is a letter", "no numbers found"),
    ],
)
def test_bad_paste_gives_a_message_and_a_clean_state(site_server, browser_page, paste, expected):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 20")
    page.select_option(f"{ROOT} select[name=dataset]", "custom")
    page.fill(f"{ROOT} textarea", paste)
    page.get_by_role("button", name="Embed pasted data").click()
    wait_for(page, "(root) => root.dataset.state === 'error'")
    assert expected in page.inner_text(f"{ROOT} .tsne-message")
    # Nothing of the previous run is left: no legend, no status, an empty plot.
    assert page.locator(f"{ROOT} .tsne-legend li").count() == 0
    assert page.inner_text(f"{ROOT} .tsne-status") == ""
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    assert painted_pixels(page)[0] == 0
    assert page.errors == []


def test_sample_colours_match_their_labels_and_legend_hides_a_class(site_server, browser_page):
    page = browser_page
    open_demo(page, site_server, STANDALONE)
    page.select_option(f"{ROOT} select[name=dataset]", "custom")
    page.get_by_role("button", name="Embed pasted data").click()
    wait_for(
        page, "(root) => Number(root.dataset.iteration) >= 1 && root.querySelectorAll('.tsne-legend li').length === 3"
    )
    swatches = page.eval_on_selector_all(
        f"{ROOT} .tsne-legend-item",
        "bs => bs.map(b => [b.textContent, getComputedStyle(b.querySelector('.tsne-swatch')).backgroundColor])",
    )
    for label, colour in swatches:
        r, g, b = (int(v) for v in colour[colour.index("(") + 1 : -1].split(",")[:3])
        channel = {"red": r, "green": g, "blue": b}[label]
        assert channel == max(r, g, b), f"{label} drawn as {colour}"
    wait_for(page, "(root) => root.dataset.state === 'done'")  # 15 points: done in a moment
    page.wait_for_timeout(100)
    before = painted_pixels(page)[0]
    page.click(f"{ROOT} .tsne-legend-item >> nth=0")
    assert page.get_attribute(f"{ROOT} .tsne-legend-item >> nth=0", "aria-pressed") == "false"
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    assert painted_pixels(page)[0] < before, "a hidden class is not drawn"
    assert page.errors == []


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def first_point(page) -> tuple[float, float]:
    """CSS page coordinates of an opaque pixel (a point) of the plot."""
    return page.eval_on_selector(
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


def test_tap_shows_a_tooltip_on_a_phone(site_server, phone_page):
    page = phone_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 300")
    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    page.wait_for_timeout(100)
    x, y = first_point(page)
    assert x is not None
    page.touchscreen.tap(x, y + 1)
    tooltip = page.locator(f"{ROOT} .scatter-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "digit" in tooltip.inner_text()
    assert page.url.endswith(STANDALONE), "a tap does not leave the page"
    assert_both_neighbour_lists(page, tooltip.inner_text())
    assert page.errors == []


def in_viewport(page, selector: str) -> bool:
    """Whether the element's box lies wholly inside the window (the reader sees it without scrolling)."""
    return page.eval_on_selector(
        selector,
        """el => { const r = el.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth; }""",
    )


def test_tap_repeats_the_kept_count_on_screen_and_reveals_the_panel(site_server, browser):
    # 375x740: the 560 px plot fills the screen and the neighbour panel sits below it, off screen.
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(f"pageerror: {error}"))
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 300")
    page.get_by_role("button", name="Pause").click()
    wait_for(page, "(root) => root.dataset.state === 'paused'")
    # Plot's bottom edge at the window's bottom edge: the panel starts just below the fold.
    page.eval_on_selector(
        f"{ROOT} .tsne-plot", "el => window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight)"
    )
    page.wait_for_timeout(100)
    panel = f"{ROOT} .tsne-neighbours"
    x, y = first_point(page)
    assert x is not None
    page.touchscreen.tap(x, y + 1)
    note = page.locator(f"{ROOT} .scatter-tooltip .tsne-tip-kept")
    note.wait_for(state="visible", timeout=5_000)
    page.wait_for_function(
        "el => el.dataset.kept !== undefined", arg=page.locator(panel).element_handle(), timeout=5_000
    )
    assert not in_viewport(page, f"{panel} .tsne-kept"), "the scenario: the panel's summary is below the fold"
    # The tooltip repeats the panel's count, on screen, for the same point.
    kept = page.get_attribute(panel, "data-kept")
    assert note.get_attribute("data-kept") == kept
    count = f"{ROOT} .scatter-tooltip .tsne-tip-count"
    assert in_viewport(page, count)
    assert page.inner_text(count) == f"{kept} of its 5 nearest in 64-D are also nearest in the plot."
    assert f": {kept} of its 5 nearest neighbours in 64-D" in page.inner_text(f"{panel} .tsne-kept")
    # The pinned tooltip's button brings the panel (and its count) on screen, without unpinning.
    page.get_by_role("button", name="Show both neighbour lists").tap()
    page.wait_for_function(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=f"{panel} .tsne-kept",
        timeout=5_000,
    )
    assert page.get_attribute(panel, "data-kept") == kept
    assert page.errors == []
    context.close()


def test_scrolling_over_the_plot_scrolls_the_page(site_server, phone_page):
    page = phone_page
    open_demo(page, site_server, STANDALONE, scroll=False)
    box = page.locator(f"{ROOT} canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 60
    assert y < 844, "the plot starts inside the first screen"
    assert page.evaluate(f"() => document.elementFromPoint({x}, {y}).className") == "scatter-canvas"
    session = page.context.new_cdp_session(page)
    # A one-finger swipe up that starts on the plot: real touch events, so touch-action applies.
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 11):
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 30 * k}]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("() => window.scrollY > 100", timeout=5_000)
    assert page.errors == []


def touch(session, kind: str, points: list[tuple[float, float]]) -> None:
    session.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": k} for k, (x, y) in enumerate(points)]},
    )


def view_transform(page) -> tuple[float, float, float]:
    zoom, tx, ty = (float(v) for v in page.get_attribute(f"{ROOT} canvas", "data-view").split(","))
    return zoom, tx, ty


def test_pinch_zooms_the_plot_and_one_finger_scrolls_the_page(site_server, phone_page):
    page = phone_page
    open_demo(page, site_server, STANDALONE)
    wait_for(page, "(root) => Number(root.dataset.iteration) >= 20")
    box = page.locator(f"{ROOT} canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert 0 < cy < 844
    assert view_transform(page) == (1, 0, 0)
    scroll_before = page.evaluate("() => window.scrollY")
    session = page.context.new_cdp_session(page)
    # Two fingers spread apart (60 px -> 220 px) and move down 20 px together.
    touch(session, "touchStart", [(cx - 30, cy), (cx + 30, cy)])
    for k in range(1, 11):
        touch(session, "touchMove", [(cx - 30 - 8 * k, cy + 2 * k), (cx + 30 + 8 * k, cy + 2 * k)])
    touch(session, "touchEnd", [])
    page.wait_for_function("() => document.querySelector('.demo-tsne canvas').dataset.view !== '1,0,0'")
    zoom, tx, ty = view_transform(page)
    assert zoom == pytest.approx(220 / 60, rel=0.02), "the pinch zooms by the fingers' spread"
    assert ty == pytest.approx(20, abs=1.5) and tx == pytest.approx(0, abs=1.5), "the pinch pans with the fingers"
    assert page.evaluate("() => window.scrollY") == scroll_before, "a pinch on the plot does not scroll the page"
    # One finger dragging up over the plot scrolls the page and leaves the plot's view alone.
    touch(session, "touchStart", [(cx, cy + 100)])
    for k in range(1, 11):
        touch(session, "touchMove", [(cx, cy + 100 - 25 * k)])
    touch(session, "touchEnd", [])
    page.wait_for_function(f"() => window.scrollY > {scroll_before + 100}", timeout=5_000)
    assert view_transform(page) == (zoom, tx, ty)
    assert page.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_opened_extras_pass_axe(site_server, browser, scheme):
    """The whole-site axe test sees the demo as it loads; this one opens what a reader can open:
    the neighbour lists, the glyph toggle, the perplexity comparison and the distance input."""
    from tests.browser.test_accessibility import AXE, violations

    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci`")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_demo(page, site_server, STANDALONE)
        wait_for(page, "(root) => Number(root.dataset.iteration) >= 300")
        page.get_by_role("button", name="Pause").click()
        wait_for(page, "(root) => root.dataset.state === 'paused'")
        page.get_by_label("Draw digits as their 8×8 images").check()
        page.get_by_role("button", name="Compare perplexities 5 / 30 / 100").click()
        page.wait_for_timeout(100)
        x, y = first_point(page)
        page.mouse.click(x, y + 1)  # pinned: the tooltip and both lists stay
        page.wait_for_selector(f"{ROOT} .tsne-nlist-low li")
        page.wait_for_selector(f"{ROOT} .scatter-tooltip .tsne-tip-more")  # its button is checked too
        problems = violations(page, AXE.read_text("utf-8"))
        page.select_option(f"{ROOT} select[name=dataset]", "distances")
        page.wait_for_selector(f"{ROOT} textarea[name=distances]")
        problems += violations(page, AXE.read_text("utf-8"))
    finally:
        context.close()
    assert problems == []
