"""The theme's reading experience in Chromium, by computed styles and geometry (no screenshots):
both colour schemes at a desktop (1280 px) and a phone (390 px) width.

- `align` equations of the RL post: the cells of one column share an edge across rows (within
  1.5 px), i.e. the `=` signs line up, and operator names (`\\log`) are spaced;
- no horizontal page overflow;
- text and code meet WCAG AA contrast (computed colours of the rendered page);
- the reader's toggle overrides the system scheme, is remembered, and applies before the body
  is parsed (no flash of the other scheme);
- a `blog init` site is styled by the packaged theme and requests nothing that 404s.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import serve_folder

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
RL = "/2016/05/31/rl/"
WIDTHS = [1280, 390]
SCHEMES = ["light", "dark"]

LUMINANCE = """
(c) => {
  const m = c.match(/[\\d.]+/g).map(Number);
  const lin = m.slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}
"""


def contrast(page: Any, foreground: str, background: str) -> float:
    high, low = sorted((page.evaluate(LUMINANCE, foreground), page.evaluate(LUMINANCE, background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def page(browser_page: Any) -> Any:
    return browser_page


def open_page(page: Any, url: str, width: int, scheme: str) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme, media="screen")
    page.goto(url, wait_until="load")


def effective_background(page: Any, selector: str) -> str:
    """The first non-transparent background at or above the element."""
    return page.eval_on_selector(
        selector,
        """(el) => {
          for (let e = el; e; e = e.parentElement) {
            const bg = getComputedStyle(e).backgroundColor;
            if (!/rgba\\(.*,\\s*0\\)$/.test(bg) && bg !== 'transparent') return bg;
          }
          return 'rgb(255, 255, 255)';
        }""",
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_align_equations_are_aligned_at_their_ampersands(page: Any, site_server: str, width: int, scheme: str) -> None:
    open_page(page, site_server + RL, width, scheme)
    tables = page.eval_on_selector_all(
        ".math-display mtable",
        """(tables) => tables.map(t => Array.from(t.children).filter(r => r.localName === 'mtr').map(r =>
             Array.from(r.children).filter(c => c.localName === 'mtd').map(c => {
               const box = c.getBoundingClientRect();
               const kids = Array.from(c.children);
               const left = kids.length ? Math.min(...kids.map(k => k.getBoundingClientRect().left)) : null;
               const right = kids.length ? Math.max(...kids.map(k => k.getBoundingClientRect().right)) : null;
               return {align: c.getAttribute('columnalign'), left: box.left, right: box.right, inkLeft: left, inkRight: right};
             })))""",
    )
    aligned = [t for t in tables if len(t) >= 2 and any(c["align"] for row in t for c in row)]
    assert aligned, "the RL post's align environments are not tables with aligned columns"
    for table in aligned:
        for column in range(max(len(row) for row in table)):
            cells = [row[column] for row in table if column < len(row) and row[column]["inkLeft"] is not None]
            if len(cells) < 2 or not cells[0]["align"]:
                continue
            edge = "inkLeft" if cells[0]["align"] == "left" else "inkRight"
            spread = max(c[edge] for c in cells) - min(c[edge] for c in cells)
            assert spread <= 1.5, f"column {column} ({cells[0]['align']}) edges spread over {spread:.1f}px"


def test_operator_names_are_spaced(page: Any, site_server: str) -> None:
    open_page(page, site_server + RL, 1280, "light")
    gaps = page.eval_on_selector_all(
        "mo",
        """(ops) => ops.filter(o => o.textContent === 'log' && o.nextElementSibling
                 && o.nextElementSibling.localName === 'mi').map(o =>
                 o.nextElementSibling.getBoundingClientRect().left - o.getBoundingClientRect().right)""",
    )
    assert gaps, "no \\log followed by a variable on the RL post"
    assert min(gaps) >= 1.5, f"\\log runs into its argument: gaps {gaps}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", RL, "/neuralnets/", "/demos/"])
def test_no_horizontal_page_overflow(page: Any, site_server: str, path: str, width: int, scheme: str) -> None:
    open_page(page, site_server + path, width, scheme)
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"page is {scroll}px wide in a {client}px viewport"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_text_code_and_math_contrast(page: Any, site_server: str, scheme: str) -> None:
    open_page(page, site_server + "/neuralnets/", 1280, scheme)
    for selector in (
        "main .prose p",
        ".site-footer p",
        ".post-toc summary",
        ".prose .highlight pre",
        ".prose .highlight .k",
    ):
        if not page.query_selector(selector):
            continue
        colour = page.eval_on_selector(selector, "e => getComputedStyle(e).color")
        ratio = contrast(page, colour, effective_background(page, selector))
        assert ratio >= 4.5, f"{scheme}: {selector} {colour} is {ratio:.2f}:1"
    open_page(page, site_server + RL, 1280, scheme)
    math, text = page.evaluate(
        "[getComputedStyle(document.querySelector('.prose math')).color,"
        " getComputedStyle(document.querySelector('.prose p')).color]"
    )
    assert math == text, f"{scheme}: math is {math}, text is {text}"
    if scheme == "dark":
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert page.evaluate(LUMINANCE, body) < 0.05, f"dark scheme has a light page: {body}"
        code_bg = effective_background(page, ".prose .highlight pre")
        assert page.evaluate(LUMINANCE, code_bg) < 0.05, f"dark code block on a light panel: {code_bg}"


def test_toggle_overrides_the_system_scheme_and_is_remembered(page: Any, site_server: str) -> None:
    open_page(page, site_server + "/", 1280, "light")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert page.get_attribute(".theme-toggle", "aria-pressed") == "false"
    page.click(".theme-toggle")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light and page.evaluate(LUMINANCE, dark) < 0.05
    assert page.get_attribute(".theme-toggle", "aria-pressed") == "true"
    code_bg_css = page.evaluate(
        "Array.from(document.styleSheets).some(s => { try { return Array.from(s.cssRules)"
        ".some(r => r.selectorText && r.selectorText.includes('[data-theme=\"dark\"] .highlight')); } catch (e) { return false; } })"
    )
    assert code_bg_css, "highlight.css has no rules for the toggled dark scheme"
    # Remembered on the next page, and applied before the body exists: serve only the head.
    html = page.evaluate("fetch(location.href).then(r => r.text())")
    head_only = html.split("<body", 1)[0]
    page.route(site_server + "/about/", lambda route: route.fulfill(body=head_only, content_type="text/html"))
    page.goto(site_server + "/about/", wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    early = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()")
    assert early.lower() == "#15171b", f"the dark colours are not in force before the body: --bg {early}"
    page.unroute(site_server + "/about/")
    page.goto(site_server + "/about/", wait_until="load")
    page.click(".theme-toggle")  # back to light, also remembered over a dark system preference
    page.emulate_media(color_scheme="dark")
    page.reload(wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate(LUMINANCE, page.evaluate("getComputedStyle(document.body).backgroundColor")) > 0.8


@pytest.fixture(scope="module")
def init_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "mysite"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    for args in (["init", str(root), "--generator", "mathdemo-blog"], ["build", "-q", "-s", str(root)]):
        subprocess.run([sys.executable, "-m", "generator", *args], check=True, env=env, capture_output=True)
    return root / "_site"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_init_site_is_styled_and_complete(page: Any, init_site: Path, width: int, scheme: str) -> None:
    server, url = serve_folder(init_site)
    statuses: list[tuple[str, int]] = []
    page.on("response", lambda response: statuses.append((response.url, response.status)))
    try:
        post = next(init_site.glob("2*/*/*/*/index.html")).parent.relative_to(init_site).as_posix()
        for path in ("/", "/archive/", "/tags/", f"/{post}/"):
            open_page(page, url + path, width, scheme)
            font = page.evaluate("getComputedStyle(document.body).fontFamily")
            assert "Times" not in font and "Charter" in font, f"{path}: theme CSS not applied ({font})"
            measure = page.eval_on_selector("main .wrap", "e => e.getBoundingClientRect().width")
            assert measure <= min(900, width), f"{path}: no width limit ({measure}px)"
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= client, path
            title = page.title()
            assert not re.fullmatch(r"(.+) · \1", title), f"{path}: title {title!r}"
        bad = [(u, s) for u, s in statuses if s >= 400]
        assert not bad, f"failed requests: {bad}"
        assert not page.errors, page.errors  # type: ignore[attr-defined]
    finally:
        server.shutdown()
