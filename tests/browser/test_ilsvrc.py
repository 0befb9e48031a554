"""Browser test of the ILSVRC labeling interface (demos/ilsvrc) on the built site, keyboard only.

Fixtures from tests/conftest.py: `site_server` (base URL of the built site) and `browser_page`
(a Playwright page collecting console errors and failed/off-site requests in `.errors`).
"""

from __future__ import annotations

import json
from pathlib import Path

PAGE = "/demos/ilsvrc/"
ROOT = ".demo-ilsvrc"
TABBY, ESPRESSO, TRIPOD = "n02123045", "n07920052", "n04485082"
COFFEE_MUG, WALL_CLOCK = "n03063599", "n04548280"
MANIFEST = json.loads((Path(__file__).resolve().parents[2] / "demos/ilsvrc/data/sample.json").read_text())
SAMPLE = MANIFEST["images"]
CLASS_NAMES = {
    row[0]: row[1]
    for row in json.loads((Path(__file__).resolve().parents[2] / "demos/ilsvrc/data/classes.json").read_text())[
        "classes"
    ]
}


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` (inside the demo) has focus."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", f"{ROOT} {selector}"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def pick(page, query: str, arrow_downs: int = 0) -> None:
    page.keyboard.type(query)
    for _ in range(arrow_downs):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def picks_shown(page) -> list[str]:
    return page.locator(f"{ROOT} .ilsvrc-pick-name").all_inner_texts()


def score_text(page) -> str:
    return page.locator(f"{ROOT} .ilsvrc-score").inner_text()


def test_label_three_images_with_the_keyboard(site_server: str, browser_page, tmp_path: Path) -> None:
    page = browser_page
    page.goto(site_server + PAGE)
    page.wait_for_selector(f"{ROOT} .ilsvrc-option")
    assert page.locator(f"{ROOT} .ilsvrc-option").count() == 1000
    assert page.locator(f"{ROOT} .ilsvrc-heading-1", has_text="dog").count() == 1
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"1 of {len(SAMPLE)}"
    tab_to(page, ".ilsvrc-filter")

    # Image 1 (Chelsea, a tabby): right at top-1.
    pick(page, "tabby")
    assert picks_shown(page) == ["tabby cat"]
    assert page.locator(f"{ROOT} .ilsvrc-pick-number").all_inner_texts() == ["1."]
    assert "ConvNet" not in score_text(page) and "No answers yet" in score_text(page)
    page.keyboard.press("Control+Enter")
    assert "The answer is tabby cat" in page.locator(f"{ROOT} .ilsvrc-feedback").inner_text()
    # The duel: the ConvNet's top-5 with probabilities next to the reader's picks.
    duel = page.locator(f"{ROOT} .ilsvrc-duel").inner_text()
    top5 = SAMPLE[0]["predictions"]["efficientnet-lite0"]
    for wnid, probability in top5:
        assert f"{CLASS_NAMES[wnid]} ({100 * probability:.1f}%)" in duel
    assert "EfficientNet-Lite0" in score_text(page) and "McNemar" in score_text(page)
    page.keyboard.press("Control+Enter")  # next image

    # Image 2 (espresso): right only within the top 5.
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"2 of {len(SAMPLE)}"
    pick(page, "coffee mug")
    pick(page, "espresso")
    assert picks_shown(page) == ["coffee mug", "espresso"]
    page.keyboard.press("Control+Enter")
    assert "Correct within your top 5" in page.locator(f"{ROOT} .ilsvrc-feedback").inner_text()
    page.keyboard.press("Control+Enter")

    # Image 3 (tripod): wrong. Backspace on the empty filter removes the last pick.
    pick(page, "wall clock")
    pick(page, "coffee mug")
    page.keyboard.press("Backspace")
    assert picks_shown(page) == ["wall clock"]
    page.keyboard.press("Control+Enter")
    assert "Wrong" in page.locator(f"{ROOT} .ilsvrc-feedback").inner_text()

    # 2 of 3 wrong at top-1, 1 of 3 at top-5; Wilson intervals as computed by scipy.
    expected_top1 = "Top-1 error: 66.7% (95% CI 20.8–93.9%) — 2 of 3 wrong"
    expected_top5 = "Top-5 error: 33.3% (95% CI 6.1–79.2%) — 1 of 3 wrong"
    assert expected_top1 in score_text(page)
    assert expected_top5 in score_text(page)

    # A reload loses nothing.
    page.reload()
    page.wait_for_selector(f"{ROOT} .ilsvrc-option")
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"3 of {len(SAMPLE)}"
    assert expected_top1 in score_text(page)
    assert picks_shown(page) == ["wall clock"]

    # Export with the keyboard; the file holds exactly what was entered.
    tab_to(page, ".ilsvrc-export")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    target = tmp_path / "export.json"
    download_info.value.save_as(target)
    exported = json.loads(target.read_text())
    assert exported["format"] == "ilsvrc-results" and exported["set"] == "sample" and exported["mode"] == "practice"
    assert [(e["file"], e["picks"], e["truth"]) for e in exported["entries"]] == [
        (SAMPLE[0]["file"], [TABBY], TABBY),
        (SAMPLE[1]["file"], [COFFEE_MUG, ESPRESSO], ESPRESSO),
        (SAMPLE[2]["file"], [WALL_CLOCK], TRIPOD),
    ]
    assert page.errors == []


def test_import_rejects_bad_file_and_reset_needs_confirmation(site_server: str, browser_page, tmp_path: Path) -> None:
    page = browser_page
    page.goto(site_server + PAGE)
    page.wait_for_selector(f"{ROOT} .ilsvrc-option")
    good = {
        "format": "ilsvrc-results",
        "version": 1,
        "set": "sample",
        "mode": "practice",
        "entries": [{"file": SAMPLE[0]["file"], "picks": [TRIPOD, TABBY]}],
    }
    bad = dict(good, entries=[{"file": SAMPLE[0]["file"], "picks": ["n00000000"]}])
    status = page.locator(f"{ROOT} .ilsvrc-tool-status")
    file_input = page.locator(f"{ROOT} input[type=file]")

    (tmp_path / "bad.json").write_text(json.dumps(bad))
    file_input.set_input_files(str(tmp_path / "bad.json"))
    page.wait_for_function(
        "root => root.querySelector('.ilsvrc-tool-status').textContent.includes('Import failed')",
        arg=page.query_selector(ROOT),
    )
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"1 of {len(SAMPLE)}"

    (tmp_path / "good.json").write_text(json.dumps(good))
    file_input.set_input_files(str(tmp_path / "good.json"))
    page.wait_for_function(
        "root => root.querySelector('.ilsvrc-tool-status').textContent.includes('Imported 1')",
        arg=page.query_selector(ROOT),
    )
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"2 of {len(SAMPLE)}"
    assert "Top-1 error: 100.0%" in score_text(page) and "Top-5 error: 0.0%" in score_text(page)

    page.locator(f"{ROOT} button", has_text="Reset").click()
    page.locator(f"{ROOT} .ilsvrc-confirm button", has_text="Keep").click()
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"2 of {len(SAMPLE)}"
    page.locator(f"{ROOT} button", has_text="Reset").click()
    page.locator(f"{ROOT} .ilsvrc-confirm button", has_text="Discard").click()
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"1 of {len(SAMPLE)}"
    assert "discarded" in status.inner_text()
    assert page.errors == []


def test_duel_scoreboard_changes_and_show_answer_is_not_scored_correct(site_server: str, browser_page) -> None:
    page = browser_page
    page.goto(site_server + PAGE)
    page.wait_for_selector(f"{ROOT} .ilsvrc-option")
    page.locator(f"{ROOT} .ilsvrc-filter").focus()
    page.locator(f"{ROOT} button", has_text="Show answer").click()
    page.locator(f"{ROOT} .ilsvrc-filter").focus()
    pick(page, "tabby")
    page.keyboard.press("Control+Enter")
    feedback = page.locator(f"{ROOT} .ilsvrc-feedback").inner_text()
    assert "Not scored as correct" in feedback
    board = page.locator(f"{ROOT} .ilsvrc-scoreboard")
    human_row = board.locator("tbody tr").nth(0).inner_text()
    assert human_row.startswith("You") and "100.0%" in human_row
    model_ok = SAMPLE[0]["predictions"]["efficientnet-lite0"][0][0] in SAMPLE[0]["labels"]
    model_row = board.locator("tbody tr").nth(1).inner_text()
    assert ("0.0%" if model_ok else "100.0%") in model_row
    assert "Top-1: you alone right on 0, the ConvNet alone on 1" in score_text(page) or not model_ok
    # Tag the error with one of the post's types; the tally counts it.
    page.locator(f"{ROOT} .ilsvrc-tag-select").select_option("class-unawareness")
    assert "Class unawareness: 1" in page.locator(f"{ROOT} .ilsvrc-tally").inner_text()
    # The hard subset is one click away and holds only photos the ConvNet gets wrong.
    hard = [img for img in SAMPLE if img["predictions"]["efficientnet-lite0"][0][0] not in img["labels"]]
    page.locator(f"{ROOT} .ilsvrc-hard").click()
    assert page.locator(f"{ROOT} .ilsvrc-progress").inner_text() == f"1 of {len(hard)}"
    assert page.locator(f"{ROOT} .ilsvrc-image").get_attribute("src").split("/")[-1].split(".")[0] in hard[0]["file"]
    assert page.errors == []


def test_test_mode_hides_answers_until_the_end(site_server: str, repo_site: Path, browser_page) -> None:
    page = browser_page
    page.goto(site_server + PAGE)
    page.wait_for_selector(f"{ROOT} .ilsvrc-option")
    # Mount a second instance in test mode on the same page, over three photos.
    page.evaluate(
        """async () => {
            const first = document.querySelector('.demo-ilsvrc script, script[type=module]');
            const src = [...document.querySelectorAll('script[type=module]')].map(s => s.textContent).join('');
            const url = src.match(/from "([^"]+)"/)[1];
            const payload = JSON.parse(src.slice(src.indexOf(', {') + 2, src.lastIndexOf(')')));
            const root = document.createElement('div'); root.id = 'demo-ilsvrc-test'; document.body.append(root);
            const { mount } = await import(url);
            mount(root, { ...payload, mode: 'test', count: 3 });
        }"""
    )
    t = "#demo-ilsvrc-test"
    page.wait_for_selector(f"{t} .ilsvrc-option")
    page.locator(f"{t} .ilsvrc-filter").focus()
    for query in ("tabby", "espresso", "tripod"):
        pick(page, query)
        page.keyboard.press("Control+Enter")
        if page.locator(f"{t} .ilsvrc-progress").inner_text().startswith("Done"):
            break
        assert page.locator(f"{t} .ilsvrc-duel").count() == 0, "no model answers before the end"
        assert "score shown at the end" in page.locator(f"{t} .ilsvrc-score").inner_text()
        assert page.locator(f"{t} .ilsvrc-summary").is_hidden()
    assert page.locator(f"{t} .ilsvrc-progress").inner_text() == "Done: 3 of 3"
    summary = page.locator(f"{t} .ilsvrc-summary").inner_text()
    assert "EfficientNet-Lite0" in summary and "espresso" in summary
    assert "Top-1 error" in page.locator(f"{t} .ilsvrc-score").inner_text()
    assert page.errors == []


def test_combobox_semantics_and_phone_keeps_the_photo_visible(site_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 780}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(site_server + PAGE)
        page.wait_for_selector(f"{ROOT} .ilsvrc-option")
        box = page.locator(f"{ROOT} .ilsvrc-filter")
        assert box.get_attribute("role") == "combobox"
        list_id = box.get_attribute("aria-controls")
        assert page.locator(f"#{list_id}").get_attribute("role") == "listbox"
        box.focus()
        page.keyboard.type("terrier")
        page.keyboard.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
        hint = page.locator(f"{ROOT} .ilsvrc-pick-empty").inner_text()
        assert "on the right" not in hint
        # Scroll the page so the class list fills the screen: the photo stays in view (sticky).
        page.locator(f"{ROOT} .ilsvrc-list").scroll_into_view_if_needed()
        page.mouse.wheel(0, 400)
        page.evaluate("() => window.scrollBy(0, 300)")
        rect = page.locator(f"{ROOT} .ilsvrc-viewport").bounding_box()
        assert rect is not None and rect["y"] >= -1 and rect["y"] + rect["height"] <= 780
        assert rect["height"] > 80
        # A tap on the photo does not zoom it (it would block scrolling).
        page.locator(f"{ROOT} .ilsvrc-viewport").tap()
        assert "is-zoomed" not in (page.locator(f"{ROOT} .ilsvrc-viewport").get_attribute("class") or "")
    finally:
        context.close()
