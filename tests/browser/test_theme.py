"""The theme in a real browser (Playwright driving Debian's Chromium).

The home page, a math-heavy post and the Hacker's guide, each at a phone width (360 px) and a
desktop width (1280 px), in the light and the dark colour scheme: no horizontal scrolling, no
console errors, no request leaving the site, MathML that takes up space, highlighted code, a
readable line length, a visible focus ring on the skip link. Screenshots go to
tests/artifacts/theme/ (git-ignored) for people to look at.

Uses the shared fixtures `site_server` and `browser_page` from tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts" / "theme"

PAGES = {
    "home": "/",
    "rl": "/2016/05/31/rl/",
    "guide": "/neuralnets/",
}
WIDTHS = [360, 1280]
SCHEMES = ["light", "dark"]


# ---- fixtures: `site_server` and `browser_page` come from tests/conftest.py --------------------


@pytest.fixture
def base_url(site_server: str) -> str:
    return site_server.rstrip("/")


@pytest.fixture
def page(browser_page: Any) -> Any:
    """The shared page: console errors, page errors, failed and off-site requests land in `.errors`."""
    return browser_page


def open_page(page: Any, base_url: str, path: str, width: int, scheme: str) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme, media="screen")
    page.goto(base_url + path, wait_until="load")
    page.wait_for_timeout(300)  # demos mount on module load; give them a beat before measuring


def errors_of(page: Any) -> list[str]:
    return list(page.errors)


# ---- the matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_cleanly(page: Any, base_url: str, name: str, width: int, scheme: str) -> None:
    open_page(page, base_url, PAGES[name], width, scheme)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{scheme}.png"))

    sizes = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"horizontal scrollbar: content {sizes[0]}px wide in a {sizes[1]}px viewport"

    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter(e => !e.closest('.math-display, .highlight, pre, table, .demo'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert not wide, f"elements stick out of the viewport: {wide}"

    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    level = sum(int(c) for c in background[background.index("(") + 1 : background.index(")")].split(",")[:3]) / 3
    assert (level > 200) if scheme == "light" else (level < 60), f"{scheme} scheme has background {background}"

    assert not errors_of(page), errors_of(page)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["rl", "guide"])
def test_math_renders_with_size(page: Any, base_url: str, name: str, width: int, scheme: str) -> None:
    open_page(page, base_url, PAGES[name], width, scheme)
    stats = page.evaluate("""() => {
        const all = [...document.querySelectorAll('main math')];
        const empty = all.filter(m => { const r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); });
        return {count: all.length, display: document.querySelectorAll('.math-display math').length,
                empty: empty.slice(0, 5).map(m => m.outerHTML.slice(0, 120))};
    }""")
    assert stats["count"] > 0, "no MathML on a math-heavy page"
    assert not stats["empty"], f"{len(stats['empty'])} formulas render with no size: {stats['empty']}"
    first = page.locator(".math-display").first if stats["display"] else page.locator("main math").first
    first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-math-{width}-{scheme}.png"))
    overflow = page.evaluate(
        "() => getComputedStyle(document.querySelector('.math-display') || document.body).overflowX"
    )
    assert not stats["display"] or overflow == "auto", "display math must scroll on its own"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", ["rl", "guide"])
def test_code_is_highlighted(page: Any, base_url: str, name: str, scheme: str) -> None:
    open_page(page, base_url, PAGES[name], 1280, scheme)
    colours = page.evaluate("""() => {
        const pre = document.querySelector('.highlight pre');
        if (!pre) return null;
        const plain = getComputedStyle(pre).color;
        const tokens = [...pre.querySelectorAll('span[class]')].map(s => getComputedStyle(s).color);
        return {plain, distinct: [...new Set(tokens.filter(c => c !== plain))]};
    }""")
    assert colours is not None, "no highlighted code block"
    assert colours["distinct"], f"every token has the plain text colour {colours['plain']}"
    page.locator(".highlight").first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-code-{scheme}.png"))


def test_line_length_is_comfortable_on_desktop(page: Any, base_url: str) -> None:
    """About 65-75 characters a line; measured on the post's longest paragraph."""
    open_page(page, base_url, PAGES["rl"], 1280, "light")
    per_line = page.evaluate("""() => {
        const paragraphs = [...document.querySelectorAll('.prose > p')];
        const p = paragraphs.sort((a, b) => b.textContent.length - a.textContent.length)[0];
        const lines = Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
        return p.textContent.length / lines;
    }""")
    assert 60 <= per_line <= 85, f"{per_line:.0f} characters a line"


def test_demos_break_out_of_the_text_column_on_wide_screens(page: Any, base_url: str) -> None:
    open_page(page, base_url, PAGES["guide"], 1280, "light")
    widths = page.evaluate("""() => {
        const demo = document.querySelector('.prose > .demo-embed, .prose > .demo');
        const text = document.querySelector('.prose > p');
        return demo && [demo.getBoundingClientRect().width, text.getBoundingClientRect().width,
                        document.documentElement.clientWidth];
    }""")
    assert widths, "the guide has no demo"
    demo, text, viewport = widths
    assert text < demo <= viewport


def test_skip_link_appears_on_keyboard_focus(page: Any, base_url: str) -> None:
    open_page(page, base_url, PAGES["rl"], 360, "light")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return {cls: e.className, href: e.getAttribute('href'), top: r.top, bottom: r.bottom,
                outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)};
    }""")
    assert "skip-link" in focused["cls"] and focused["href"] == "#main"
    assert focused["top"] >= 0 and focused["bottom"] <= 800, "skip link stays off screen when focused"
    assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, "no visible focus ring"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_print_hides_navigation_and_shows_link_urls(page: Any, base_url: str) -> None:
    open_page(page, base_url, "/about/", 1280, "light")
    page.emulate_media(media="print")
    hidden = page.evaluate("() => getComputedStyle(document.querySelector('.site-nav')).display")
    assert hidden == "none"
    after = page.evaluate("""() => {
        const a = document.querySelector('.prose a[href^="http"], .prose a[href^="/"]');
        return a && getComputedStyle(a, '::after').content;
    }""")
    assert after and "(" in after, f"link URL not printed: {after!r}"
