"""Page weight of the built blog: what a reader downloads for the home page and for posts.

Builds the repository's site into a temporary folder, then for each page counts the files it loads
(HTML, stylesheets and what they pull in with url()/@import, fonts, images, scripts and their
static imports), in bytes as served and gzipped (level 6, what a typical server sends), and the
number of requests. With --browser it also loads each page in Chromium and counts the requests the
browser really makes (this includes data that demos fetch at run time and worker scripts).

    python bench/page_weight.py                 # home + a typical post + the math-heavy posts
    python bench/page_weight.py --browser       # also measure in Chromium
    python bench/page_weight.py /about/ /2015/05/21/rnn-effectiveness/
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
    args = parser.parse_args()

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
