"""Every page of the blog passes axe-core (the npm package, pinned in package.json and installed by
`npm ci`, which .ci/run does) with no serious or critical violation, in the light and the dark
colour scheme. axe runs inside Chromium on the built page after its demos have mounted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")


def site_pages(site: Path) -> list[str]:
    pages = []
    for path in sorted(site.rglob("*.html")):
        url = "/" + path.relative_to(site).as_posix()
        pages.append(url.removesuffix("index.html"))
    return pages


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` in the repository (.ci/run does)")
    return AXE.read_text("utf-8")


def violations(page: Any, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const outcome = await axe.run(document, {resultTypes: ['violations']});
            return outcome.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 3), count: v.nodes.length}));
        }"""
    )
    return [
        f"{v['impact']} {v['id']} ({v['count']}×): {v['help']} — e.g. {', '.join(v['targets'])}"
        for v in result
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_has_no_serious_or_critical_axe_violation(
    browser: Any, repo_site: Path, site_server: str, axe_source: str, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        for url in site_pages(repo_site):
            page.goto(site_server + url, wait_until="load")
            page.wait_for_timeout(150)  # demos mount their controls after load
            problems = violations(page, axe_source)
            if problems:
                found[url] = problems
    finally:
        context.close()
    assert not found, "\n".join(f"{url}: {problem}" for url, problems in found.items() for problem in problems)
