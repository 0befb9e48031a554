"""The theme: WCAG AA colour contrast of the stylesheet's custom properties (light and dark), of the
code highlighting, and the structure every built page must have (landmarks, skip link, one h1,
sharing meta, navigation, post meta, tag links, table of contents, previous/next)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAIN_CSS = REPO / "generator" / "theme" / "assets" / "css" / "main.css"

# (foreground, background, minimum ratio). Text pairs need 4.5 (WCAG 1.4.3); the focus ring is a
# non-text indicator and needs 3 (WCAG 1.4.11). Each pair is one the stylesheet actually uses.
PAIRS = [
    ("--text", "--bg", 4.5),
    ("--text", "--surface", 4.5),  # inline code, table of contents, plain code blocks
    ("--muted", "--bg", 4.5),  # dates, nav, captions
    ("--muted", "--surface", 4.5),
    ("--link", "--bg", 4.5),
    ("--link", "--surface", 4.5),
    ("--link-visited", "--bg", 4.5),
    ("--accent", "--bg", 3.0),  # blockquote and note rules: non-text
    ("--note-text", "--note-bg", 4.5),
    ("--error", "--bg", 4.5),
    ("--error", "--surface", 4.5),  # code.math-error sits on the inline-code background
    ("--focus", "--bg", 3.0),
    ("--text", "--selection", 4.5),
]

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rgb / #rrggbb colour."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def block_after(css: str, start: int) -> str:
    """The text between the `{` at or after `start` and its matching `}`."""
    open_at = css.index("{", start)
    depth = 0
    for i in range(open_at, len(css)):
        depth += {"{": 1, "}": -1}.get(css[i], 0)
        if depth == 0:
            return css[open_at + 1 : i]
    raise AssertionError("unbalanced braces in stylesheet")


def strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def custom_properties(block: str) -> dict[str, str]:
    return {m[1]: m[2].strip() for m in re.finditer(r"(--[\w-]+)\s*:\s*([^;]+);", block)}


def palettes(css: str) -> tuple[dict[str, str], dict[str, str]]:
    """Colour variables of the first top-level :root (light) and of the dark-scheme :root."""
    css = strip_comments(css)
    light = custom_properties(block_after(css, css.index(":root")))
    dark_media = re.search(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", css)
    assert dark_media, "no dark colour scheme"
    media_body = block_after(css, dark_media.start())
    dark = {**light, **custom_properties(block_after(media_body, media_body.index(":root")))}
    return light, dark


def colour_names(palette: dict[str, str]) -> set[str]:
    return {name for name, value in palette.items() if value.startswith("#")}


def test_contrast_helper_matches_known_wcag_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#fff", "#fff") == pytest.approx(1.0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("foreground,background,minimum", PAIRS)
def test_colour_pairs_meet_wcag_aa(scheme: str, foreground: str, background: str, minimum: float) -> None:
    light, dark = palettes(MAIN_CSS.read_text(encoding="utf-8"))
    palette = light if scheme == "light" else dark
    fg, bg = palette[foreground], palette[background]
    assert HEX.match(fg) and HEX.match(bg), f"{foreground}/{background} must be hex colours"
    ratio = contrast(fg, bg)
    assert ratio >= minimum, f"{scheme}: {foreground} {fg} on {background} {bg} is {ratio:.2f}:1"


def test_dark_scheme_redefines_every_colour() -> None:
    """A colour left out of the dark block would keep its light value on a dark background."""
    css = strip_comments(MAIN_CSS.read_text(encoding="utf-8"))
    light, _ = palettes(css)
    dark_media = re.search(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", css)
    dark_own = custom_properties(block_after(css, dark_media.start()))
    missing = colour_names(light) - set(dark_own)
    assert not missing, f"dark scheme does not redefine {sorted(missing)}"


def test_stylesheet_has_print_focus_and_no_remote_fonts() -> None:
    css = strip_comments(MAIN_CSS.read_text(encoding="utf-8"))
    print_body = block_after(css, css.index("@media print"))
    assert ".site-nav" in print_body and "attr(href)" in print_body
    assert ".demo" in print_body, "print must hide demo controls"
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*\d", css), "no visible focus outline"
    assert "@import" not in css and "@font-face" not in css


# ---- the code highlighting stylesheet the build writes -----------------------------------------

# Pygments classes that are not code text a reader has to read: whitespace markers, error boxes,
# diff/console output ("generic") and the highlighted-line background.
SKIPPED_TOKENS = re.compile(r"^(w|err|hll|g[a-z]?)$")


def highlight_colours(css: str) -> tuple[str | None, dict[str, str]]:
    """(block background, {token class: colour}) of one scheme's Pygments rules."""
    background = None
    colours: dict[str, str] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        selector = selector.strip()
        bg = re.search(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,6})\b", body)
        # Dark rules are prefixed by the scheme they apply under (`:root[data-theme="dark"] .highlight`).
        if bg and re.fullmatch(r"(?:\S+\s+)?\.highlight", selector.split(",")[0].strip()):
            background = bg[1]
        token = re.fullmatch(r"(?:\S+\s+)?\.highlight\s+\.([\w-]+)", selector)
        colour = re.search(r"(?<![-\w])color\s*:\s*(#[0-9a-fA-F]{3,6})\b", body)
        if token and colour and not SKIPPED_TOKENS.match(token[1]):
            colours[token[1]] = colour[1]
    return background, colours


def test_code_tokens_meet_wcag_aa_on_their_block(built_site: Path) -> None:
    css = strip_comments((built_site / "assets" / "css" / "highlight.css").read_text(encoding="utf-8"))
    dark_media = re.search(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", css)
    assert dark_media, "highlight.css has no dark style"
    dark_block = block_after(css, dark_media.start())
    chosen = css[css.index(dark_block, dark_media.start()) + len(dark_block) + 1 :]  # the toggle's dark rules
    schemes = {"light": css[: dark_media.start()], "dark": dark_block, "toggled dark": chosen}
    failures = []
    for scheme, rules in schemes.items():
        background, colours = highlight_colours(rules)
        assert background and colours, f"no {scheme} Pygments rules found"
        for token, colour in colours.items():
            ratio = contrast(colour, background)
            if ratio < 4.5:
                failures.append(f"{scheme} .{token} {colour} on {background}: {ratio:.2f}")
    assert not failures, "code colours below 4.5:1: " + "; ".join(failures)


# ---- built pages ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site(repo_site: Path) -> Path:
    """The repository's own site, built once per session by tests/conftest.py."""
    return repo_site


class Page(HTMLParser):
    """The parts of a built page the theme is responsible for."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.h1_text: list[str] = []
        self.texts: dict[int, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        attributes["_inside"] = " ".join(self.stack)
        self.elements.append((tag, attributes))
        if tag not in {"meta", "link", "img", "br", "hr", "input", "source", "wbr", "col", "area"}:
            self.stack.append(tag)
            self.texts[len(self.elements) - 1] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for index, chunks in self.texts.items():
            tag = self.elements[index][0]
            if tag in self.stack:
                chunks.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """Elements named `tag` whose attributes equal `attrs` (`class_` = one of the classes)."""

        def matches(attributes: dict[str, str]) -> bool:
            for key, value in attrs.items():
                if key == "class_":
                    if value not in attributes.get("class", "").split():
                        return False
                elif attributes.get(key) != value:
                    return False
            return True

        return [attributes for name, attributes in self.elements if name == tag and matches(attributes)]

    def text_of(self, attributes: dict[str, str]) -> str:
        for index, (_, candidate) in enumerate(self.elements):
            if candidate is attributes:
                return "".join(self.texts.get(index, [])).strip()
        return ""


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def target_of(site: Path, href: str) -> Path | None:
    """The built file an internal href points to (None for other sites)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", href, re.IGNORECASE):
        return None
    path = href.split("#")[0].split("?")[0]
    if not path:
        return None
    assert path.startswith("/"), f"internal link {href!r} is not site-absolute"
    file = site / path.lstrip("/")
    return file / "index.html" if path.endswith("/") else file


def load(site: Path, url: str) -> Page:
    return Page(target_of(site, url).read_text(encoding="utf-8"))


def test_every_page_has_landmarks_skip_link_and_one_h1(built_site: Path) -> None:
    pages = html_pages(built_site)
    assert len(pages) >= 10
    for file in pages:
        page = Page(file.read_text(encoding="utf-8"))
        where = file.relative_to(built_site)
        html_tag = page.find("html")[0]
        assert html_tag.get("lang"), where
        mains = page.find("main")
        assert len(mains) == 1 and mains[0].get("id") == "main", where
        assert page.find("header", class_="site-header") and page.find("footer", class_="site-footer"), where
        assert page.find("nav", **{"aria-label": "Main"}), where
        first_link = next(attrs for tag, attrs in page.elements if tag == "a")
        assert "skip-link" in first_link.get("class", "") and first_link["href"] == "#main", where
        assert len(page.find("h1")) == 1, f"{where}: expected exactly one h1"


def test_every_page_has_title_description_canonical_and_cards(built_site: Path) -> None:
    config = (REPO / "_config.yml").read_text(encoding="utf-8")
    site_url = re.search(r"^url:\s*['\"]?([^'\"\s]+)", config, re.MULTILINE)
    for file in html_pages(built_site):
        page = Page(file.read_text(encoding="utf-8"))
        where = file.relative_to(built_site)
        assert page.text_of(page.find("title")[0]), where
        assert page.find("meta", name="description")[0]["content"].strip(), where
        canonical = page.find("link", rel="canonical")[0]["href"]
        assert re.match(r"^https?://", canonical), f"{where}: canonical {canonical!r} is not absolute"
        if site_url:
            assert canonical.startswith(site_url[1].rstrip("/")), where
        assert page.find("meta", property="og:url")[0]["content"] == canonical, where
        for prop in ("og:title", "og:type", "og:site_name"):
            assert page.find("meta", property=prop), f"{where}: no {prop}"
        assert page.find("meta", name="twitter:card"), where
        feed = page.find("link", rel="alternate", type="application/atom+xml")
        assert feed and target_of(built_site, feed[0]["href"]).is_file(), where


def test_canonical_url_names_the_page_itself(built_site: Path) -> None:
    page = load(built_site, "/about/")
    assert page.find("link", rel="canonical")[0]["href"].endswith("/about/")


def test_header_links_reach_every_section(built_site: Path) -> None:
    page = load(built_site, "/")
    nav_links = [a["href"] for tag, a in page.elements if tag == "a" and "nav" in a["_inside"].split()]
    for section in ("/about/", "/archive/", "/tags/", "/demos/", "/neuralnets/"):
        matching = [href for href in nav_links if href.endswith(section)]
        assert matching, f"no nav link to {section}"
        assert target_of(built_site, matching[0]).is_file(), f"{section} is not built"
    footer_links = [a["href"] for tag, a in page.elements if tag == "a" and "footer" in a["_inside"].split()]
    assert any(href.endswith("/feed.xml") for href in footer_links), "footer has no feed link"


def test_home_lists_newest_posts_first_with_excerpts(built_site: Path) -> None:
    page = load(built_site, "/")
    summaries = page.find("article", class_="post-summary")
    assert summaries, "home lists no posts"
    dates = [t["datetime"] for tag, t in page.elements if tag == "time" and "article" in t["_inside"].split()]
    assert len(dates) == len(summaries)
    assert dates == sorted(dates, reverse=True), "posts are not newest first"
    assert len(page.find("div", class_="excerpt")) == len(summaries)
    for tag, attrs in page.elements:
        if tag == "a" and "nav" in attrs["_inside"].split() and attrs.get("rel") in ("next", "prev"):
            assert target_of(built_site, attrs["href"]).is_file(), f"pagination link {attrs['href']}"


def post_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.glob("[12][0-9][0-9][0-9]/**/index.html"))


def test_posts_show_date_reading_time_tags_and_neighbours(built_site: Path) -> None:
    posts = post_pages(built_site)
    assert len(posts) >= 5
    neighbours = tag_links = 0
    for file in posts:
        page = Page(file.read_text(encoding="utf-8"))
        where = file.relative_to(built_site)
        header = page.find("header", class_="post-header")
        assert header, where
        times = [t for tag, t in page.elements if tag == "time" and "header" in t["_inside"].split()]
        assert times and re.match(r"^\d{4}-\d\d-\d\dT", times[0]["datetime"]), where
        assert re.search(r"\d+ min read", file.read_text(encoding="utf-8")), where
        for tag, attrs in page.elements:
            if tag == "a" and "article" in attrs["_inside"].split() and "/tags/" in attrs.get("href", ""):
                tag_links += 1
                assert re.search(r"/tags/[a-z0-9-]+/$", attrs["href"]), attrs["href"]
                assert target_of(built_site, attrs["href"]).is_file(), f"{where}: {attrs['href']} not built"
        for rel in ("prev", "next"):
            for link in page.find("a", rel=rel):
                neighbours += 1
                assert target_of(built_site, link["href"]).is_file(), f"{where}: {rel} {link['href']}"
    assert neighbours >= 2 * (len(posts) - 1), "previous/next links are missing"
    assert tag_links >= len(posts), "posts do not link their tags"


def test_long_posts_get_a_table_of_contents_and_short_ones_do_not(built_site: Path) -> None:
    seen_toc = False
    for file in post_pages(built_site) + [target_of(built_site, "/neuralnets/")]:
        html = file.read_text(encoding="utf-8")
        page = Page(html)
        body = html.split('class="prose', 1)[1]
        headings = len(re.findall(r"<h[23][\s>]", body))
        tocs = page.find("nav", class_="post-toc")
        assert bool(tocs) == (headings >= 3), f"{file.relative_to(built_site)}: {headings} headings"
        if tocs:
            seen_toc = True
            links = [a["href"] for tag, a in page.elements if tag == "a" and "details" in a["_inside"].split()]
            ids = set(re.findall(r'\sid="([^"]+)"', html))
            assert links and all(href.lstrip("#") in ids for href in links), "toc links to missing ids"
    assert seen_toc


def test_archive_tags_and_demos_index_pages(built_site: Path) -> None:
    archive = load(built_site, "/archive/")
    archive_links = [a["href"] for tag, a in archive.elements if tag == "a" and "main" in a["_inside"].split()]
    assert len([h for h in archive_links if re.search(r"/\d{4}/\d\d/\d\d/", h)]) == len(post_pages(built_site))
    tags = load(built_site, "/tags/")
    tag_links = [
        a["href"] for tag, a in tags.elements if tag == "a" and "/tags/" in a["href"] and "main" in a["_inside"]
    ]
    assert len(tag_links) >= 3
    for href in tag_links:
        assert target_of(built_site, href).is_file(), href
    demos = load(built_site, "/demos/")
    cards = demos.find("li", class_="demo-card")
    assert cards, "the demos index lists no demo"


def test_not_found_page_is_built_with_the_theme(built_site: Path) -> None:
    page = Page((built_site / "404.html").read_text(encoding="utf-8"))
    assert page.text_of(page.find("h1")[0]) == "Page not found"
    assert page.find("main")
