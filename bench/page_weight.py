"""Page weight of the built blog: what a reader downloads for the home page and for posts.

Builds the repository's site into a temporary folder, then for each page counts the files it loads
(HTML, stylesheets and what they pull in with url()/@import, fonts, images, scripts and their
static imports), in bytes as served and gzipped (level 6, what a typical server sends), and the
number of requests. With --browser it also loads each page in Chromium and counts the requests the
browser really makes (this includes data that demos fetch at run time and worker scripts).

    python bench/page_weight.py                 # home + a typical post + the math-heavy posts
    python bench/page_weight.py --browser       # also measure in Chromium
    python bench/page_weight.py /about/ /2015/05/21/rnn-effectiveness/
    python bench/page_weight.py --images         # image pipeline: before/after bytes in Chromium at
                                                 # 1280 and 390 px (scrolled to the end), build times
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (bench/ is on sys.path when run)

LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
JS_STATIC_IMPORT = re.compile(r"""\bimport\s*(?:[\w*{}\s,]+\s*from\s*)?(['"])(.*?)\1""")


def kind_of(path: str) -> str:
    if urlparse(path).path.endswith("/"):
        return "html"  # pretty URLs: /post/ is /post/index.html
    suffix = Path(urlparse(path).path).suffix.lower()
    return {
        ".html": "html",
        ".css": "css",
        ".js": "js",
        ".mjs": "js",
        ".woff2": "font",
        ".woff": "font",
        ".ttf": "font",
        ".otf": "font",
        ".svg": "image",
        ".png": "image",
        ".jpg": "image",
        ".jpeg": "image",
        ".gif": "image",
        ".webp": "image",
        ".avif": "image",
    }.get(suffix, "other")


class Loads(HTMLParser):
    """URLs the page loads while it is parsed (not what scripts fetch later)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.inline_js: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and set(a.get("rel", "").split()) & LOADING_RELS:
            self.urls.append(a.get("href", ""))
        elif (
            tag in ("img", "script", "iframe", "source", "video", "audio")
            and a.get("src")
            and not (tag == "img" and a.get("loading") == "lazy")
        ):  # lazy images wait for scrolling
            self.urls.append(a["src"])
        self._in_script = tag == "script" and not a.get("src")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_js.append(data)


@dataclass
class Weight:
    files: dict[str, int] = field(default_factory=dict)  # url -> bytes
    gzipped: dict[str, int] = field(default_factory=dict)

    def add(self, url: str, data: bytes) -> None:
        self.files[url] = len(data)
        self.gzipped[url] = len(gzip.compress(data, compresslevel=6))

    def total(self, kinds: set[str] | None = None, packed: bool = False) -> int:
        sizes = self.gzipped if packed else self.files
        return sum(size for url, size in sizes.items() if kinds is None or kind_of(url) in kinds)


def local_file(site: Path, baseurl: str, url: str) -> Path | None:
    path = urlparse(url).path
    if urlparse(url).netloc or url.startswith("data:"):
        return None
    if baseurl and path.startswith(baseurl):
        path = path[len(baseurl) :]
    file = site / path.lstrip("/")
    return file / "index.html" if path.endswith("/") else file


def weigh(site: Path, baseurl: str, page_url: str) -> Weight:
    """Follow what the page loads: HTML -> CSS (-> url(), @import) and scripts (-> static imports)."""
    weight = Weight()
    queue = [page_url]
    while queue:
        url = queue.pop()
        if url in weight.files:
            continue
        file = local_file(site, baseurl, url)
        if file is None or not file.is_file():
            continue
        data = file.read_bytes()
        weight.add(url, data)
        text = data.decode("utf-8", "replace") if kind_of(url) in ("html", "css", "js") else ""
        found: list[str] = []
        if kind_of(url) == "html":
            parser = Loads()
            parser.feed(text)
            found = parser.urls + [m[2] for js in parser.inline_js for m in JS_STATIC_IMPORT.finditer(js)]
        elif kind_of(url) == "css":
            found = [m[2] or m[4] for m in CSS_URL.finditer(text)]
        elif kind_of(url) == "js":
            found = [m[2] for m in JS_STATIC_IMPORT.finditer(text)]
        queue += [urljoin(url, u) for u in found if u and not u.startswith("data:")]
    return weight


def browser_requests(base: str, paths: list[str]) -> dict[str, tuple[int, int]]:
    """path -> (requests, bytes received) as Chromium loads the page and lets it settle."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in paths:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            seen: list[int] = []

            def finished(request, seen=seen) -> None:
                if request.url.startswith("data:"):
                    return
                sizes = request.sizes()
                seen.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])

            page.on("requestfinished", finished)
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_timeout(500)
            results[path] = (len(seen), sum(seen))
            context.close()
        browser.close()
    return results


IMAGE_PAGES = ["/2015/05/21/rnn-effectiveness/", "/2015/10/25/selfie/"]
VIEWPORTS = {"1280 px": {"width": 1280, "height": 900}, "390 px": {"width": 390, "height": 844}}


def transferred_after_scrolling(base: str, path: str, viewport: dict[str, int]) -> tuple[int, int, int]:
    """(requests, bytes, image bytes) Chromium receives for the page when the reader scrolls to
    the end (so every lazy image loads): the sum of Playwright's response sizes, headers included."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        seen: list[tuple[str, int]] = []

        def finished(request) -> None:
            if not request.url.startswith("data:"):
                sizes = request.sizes()
                seen.append((request.resource_type, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

        page.on("requestfinished", finished)
        page.goto(base + path, wait_until="load")
        for index in range(page.evaluate("document.images.length")):
            page.evaluate("i => document.images[i].scrollIntoView({block: 'center'})", index)
            page.wait_for_function("i => document.images[i].complete", arg=index, timeout=15_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        browser.close()
    return len(seen), sum(size for _, size in seen), sum(size for kind, size in seen if kind == "image")


def copy_of_repo(folder: Path) -> Path:
    """The blog's sources without its output, caches or git: a build there starts cold."""
    import shutil

    ignore = shutil.ignore_patterns(".git", "_site", ".blog-cache", "node_modules", "__pycache__", "tests")
    shutil.copytree(REPO, folder, ignore=ignore)
    return folder


def image_report(pages: list[str]) -> None:
    import time

    from generator.build import BuildOptions, build

    with tempfile.TemporaryDirectory() as tmp:
        source = copy_of_repo(Path(tmp) / "src")
        sites = {}
        timings = {}
        for label, enabled in (("before", False), ("after", True)):
            (source / "_config.yml").write_text(
                (REPO / "_config.yml").read_text("utf-8") + f"\nimages:\n  enabled: {str(enabled).lower()}\n", "utf-8"
            )
            sites[label] = Path(tmp) / f"site-{label}"
            started = time.perf_counter()
            result = build(BuildOptions(source=source, destination=sites[label], quiet=True))
            timings[label] = (time.perf_counter() - started, result.images_processed)
        started = time.perf_counter()
        cached = build(BuildOptions(source=source, destination=Path(tmp) / "site-again", quiet=True))
        timings["after, cached"] = (time.perf_counter() - started, cached.images_processed)
        print("build of the blog (fresh process state each time; a cold image cache, then a warm one):")
        for label, (seconds, processed) in timings.items():
            print(f"  images {label:14} {seconds:6.2f} s   {processed:3d} images processed")
        print("\nChromium, scrolled to the end (every lazy image loaded); KiB received, headers included:")
        print(f"  {'page':34} {'viewport':>8} {'before':>9} {'after':>9} {'images before':>14} {'after':>9}")
        for page in pages:
            for name, viewport in VIEWPORTS.items():
                measured = {}
                for label, folder in sites.items():
                    server, base = serve(folder)
                    try:
                        measured[label] = transferred_after_scrolling(base, page, viewport)
                    finally:
                        server.shutdown()
                (_, before, images_before), (_, after, images_after) = measured["before"], measured["after"]
                print(
                    f"  {page[:34]:34} {name:>8} {kib(before)}  {kib(after)}  "
                    f"{kib(images_before):>14} {kib(images_after):>9}"
                )


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def kib(n: int) -> str:
    return f"{n / 1024:7.1f}"


def typical_post(site: Path, posts: list[str]) -> str:
    """The post whose HTML size is the median of all posts."""
    sized = sorted(posts, key=lambda url: (site / url.lstrip("/") / "index.html").stat().st_size)
    return sized[len(sized) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="site-relative URLs (default: home, a typical post, math posts)")
    parser.add_argument("--browser", action="store_true", help="also count requests in Chromium")
    parser.add_argument("--images", action="store_true", help="image pipeline before/after (Chromium) and build time")
    args = parser.parse_args()
    if args.images:
        image_report(args.pages or IMAGE_PAGES)
        return 0

    from generator.build import BuildOptions, build

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "_site"
        result = build(BuildOptions(source=REPO, destination=site, quiet=True))
        baseurl = str(result.config.get("baseurl") or "").rstrip("/") if hasattr(result.config, "get") else ""
        posts = sorted(
            "/" + p.parent.relative_to(site).as_posix() + "/" for p in site.glob("[12][0-9][0-9][0-9]/*/*/*/index.html")
        )
        pages = args.pages or ["/", typical_post(site, posts), "/2016/05/31/rl/", "/neuralnets/"]
        pages = list(dict.fromkeys(pages))

        header = (
            f"{'page':46} {'req':>4} {'HTML':>7} {'CSS':>7} {'font':>6} {'img':>7} {'JS':>7} {'total':>8} {'gzip':>8}"
        )
        print("sizes in KiB; requests = files the page loads while parsing (HTML, CSS, fonts, images, JS)")
        print(header)
        print("-" * len(header))
        for page in pages:
            w = weigh(site, baseurl, baseurl + page)
            print(
                f"{page[:46]:46} {len(w.files):4d} {kib(w.total({'html'}))} {kib(w.total({'css'}))} "
                f"{kib(w.total({'font'}))[1:]} {kib(w.total({'image'}))} {kib(w.total({'js'}))} "
                f"{kib(w.total()):>8} {kib(w.total(packed=True)):>8}"
            )
        print("\nwithout JS (what reading needs: HTML + CSS + fonts + images), gzipped KiB:")
        for page in pages:
            w = weigh(site, baseurl, baseurl + page)
            text_only = {"html", "css", "font", "image"}
            print(
                f"  {page[:46]:46} {kib(w.total(text_only, packed=True))}  "
                f"({sum(1 for u in w.files if kind_of(u) in text_only)} requests)"
            )

        if args.browser:
            server, base = serve(site)
            try:
                measured = browser_requests(base + baseurl, pages)
            finally:
                server.shutdown()
            print("\nChromium (1280x900, until network idle; bytes as received, uncompressed server):")
            for page, (count, size) in measured.items():
                print(f"  {page[:46]:46} {count:4d} requests {kib(size)} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
