"""Browser tests of the demo UI kit (demos/_shared/controls.css and each demo.css) on the built site.

Phone checks run at 390 px with a touch screen (`pointer: coarse`); the scheme checks force the
site toggle's `data-theme` on <html> against the opposite system preference. Computed styles and
geometry only, no screenshots. Fixtures from tests/conftest.py: `site_server`, `browser`.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api")

# Pages embedding each demo: the posts that use them, and the ILSVRC demo's own page.
CIRCUITS = "/neuralnets/"
TSNE = "/2014/07/02/visualizing-top-tweeps-with-t-sne-in-Javascript/"
ILSVRC = "/demos/ilsvrc/"
PAGES = {"circuits": CIRCUITS, "tsne": TSNE, "ilsvrc": ILSVRC}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}

# Every visible control's tap target: the control itself, or for a checkbox/radio its label.
TARGET_HEIGHTS = """root => [...root.querySelectorAll('button, select, input, textarea')]
  .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
                && !el.closest('[hidden]') && el.getBoundingClientRect().width > 1)
  .map(el => {
    const target = /^(checkbox|radio)$/.test(el.type) && el.closest('label') ? el.closest('label') : el;
    return [el.outerHTML.slice(0, 80), target.getBoundingClientRect().height];
  })"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def open_demo(page, base_url: str, name: str) -> None:
    page.goto(base_url + PAGES[name])
    root = page.locator(f".demo-{name}").first
    root.scroll_into_view_if_needed()
    page.wait_for_function(
        f"() => document.querySelector('.demo-{name}')?.querySelector('button, select, input')", timeout=30_000
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_touch_targets_are_44px_on_a_phone(phone, site_server: str, name: str) -> None:
    open_demo(phone, site_server, name)
    assert phone.evaluate("matchMedia('(pointer: coarse)').matches")
    heights = phone.eval_on_selector(f".demo-{name}", TARGET_HEIGHTS)
    assert heights, f"no visible controls found in the {name} demo"
    small = [(html, round(h, 1)) for html, h in heights if h < 44 - 0.5]
    assert not small, f"{name}: controls shorter than 44 px on a phone: {small}"


def test_tsne_field_labels_share_a_baseline(browser, site_server: str) -> None:
    """Fields on one row of the t-SNE controls: their label texts end within 2 px of each other."""
    for viewport in ({"width": 1280, "height": 900}, PHONE["viewport"]):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_demo(page, site_server, "tsne")
        boxes = page.eval_on_selector(
            ".demo-tsne .tsne-controls",
            """c => [...c.querySelectorAll('.tsne-field > span')].map(s => {
                 const control = s.parentElement.querySelector('input, select').getBoundingClientRect();
                 return [s.textContent, s.getBoundingClientRect().bottom, control.top, control.height]; })""",
        )
        context.close()
        rows: dict[int, list] = {}
        for text, bottom, control_top, height in boxes:
            rows.setdefault(round(control_top / 8), []).append((text, bottom, height))
        assert any(len(row) > 1 for row in rows.values()), f"no row with several fields at {viewport}: {boxes}"
        for row in rows.values():
            bottoms = [bottom for _, bottom, _ in row]
            assert max(bottoms) - min(bottoms) <= 2, f"labels off one baseline at {viewport}: {row}"
            heights = [h for _, _, h in row]
            assert max(heights) - min(heights) <= 1, f"controls of one row differ in height at {viewport}: {row}"


def test_circuit_svg_text_at_least_11px_on_a_phone(phone, site_server: str) -> None:
    """Rendered size = computed font-size x the SVG's drawing scale (the viewBox shrinks on phones)."""
    open_demo(phone, site_server, "circuits")
    phone.wait_for_selector(".demo-circuits svg text")
    sizes = phone.evaluate(
        """() => [...document.querySelectorAll('.demo-circuits svg text')].map(t => {
             const svg = t.ownerSVGElement;
             const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
             const px = parseFloat(getComputedStyle(t).fontSize);
             return [t.textContent, px, px * scale]; })"""
    )
    assert sizes
    small = [s for s in sizes if s[1] < 11 or s[2] < 11 - 0.05]
    assert not small, f"circuit labels below 11 px on a 390 px phone: {small[:8]}"


def root_colours(page, name: str) -> dict[str, str]:
    return page.eval_on_selector(
        f".demo-{name}",
        "r => { const s = getComputedStyle(r); return {bg: s.backgroundColor, fg: s.color}; }",
    )


def luminance(colour: str) -> float:
    parts = colour[colour.index("(") + 1 : colour.index(")")].replace("/", " ").replace(",", " ").split()
    r, g, b = (float(x) / 255 for x in parts[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("name", sorted(PAGES))
def test_demo_follows_the_site_toggle_not_only_the_system(browser, site_server: str, name: str) -> None:
    """data-theme on <html> wins: forced dark on a light system gives the same colours as a dark
    system, and forced light on a dark system the same as a light one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_demo(page, site_server, name)
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for system in ("light", "dark"):
        page.emulate_media(color_scheme=system)
        for theme in ("light", "dark"):
            page.evaluate("t => { document.documentElement.dataset.theme = t; }", theme)
            seen[(system, theme)] = root_colours(page, name)
    context.close()
    assert seen[("light", "dark")] == seen[("dark", "dark")], seen
    assert seen[("dark", "light")] == seen[("light", "light")], seen
    dark, light = seen[("light", "dark")], seen[("dark", "light")]
    assert dark != light, f"{name}: the toggle changes nothing: {seen}"
    assert luminance(dark["fg"]) > luminance(dark["bg"]) + 0.4, f"{name}: forced dark is not dark: {dark}"
    assert luminance(light["fg"]) + 0.4 < luminance(light["bg"]), f"{name}: forced light is not light: {light}"


def test_circuit_controls_share_a_baseline(browser, site_server: str) -> None:
    """Buttons and labelled number inputs on one row of the circuit controls ("step size", …):
    the bottoms of their text runs are within 2 px of each other."""
    for viewport in ({"width": 1280, "height": 900}, PHONE["viewport"]):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_demo(page, site_server, "circuits")
        items = page.eval_on_selector(
            ".demo-circuits .cc-controls",
            """c => [...c.children].filter(el => el.getClientRects().length).map(el => {
                 const text = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
                 const range = document.createRange();
                 range.selectNodeContents(text);
                 return [el.textContent.trim(), el.getBoundingClientRect().top,
                         range.getBoundingClientRect().bottom]; })""",
        )
        context.close()
        rows: dict[int, list] = {}
        for text, top, bottom in items:
            rows.setdefault(round(top / 16), []).append((text, bottom))
        assert any(len(row) > 1 for row in rows.values()), items
        for row in rows.values():
            bottoms = [bottom for _, bottom in row]
            assert max(bottoms) - min(bottoms) <= 2, f"circuit controls off one baseline at {viewport}: {row}"
