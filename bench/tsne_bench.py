"""Benchmark the t-SNE explorer in headless Chromium on the digits dataset (1,797 x 64).

Builds the site (or uses --site DIR), serves it on 127.0.0.1, opens /demos/tsne/ with the
default options (digits, perplexity 30, 1000 iterations, autoplay) and measures per run:

  first frame      navigation start -> first scatter frame drawn (performance mark
                   "tsne:first-frame"; includes module load, data fetch, parsing and P)
  first step       navigation start -> first frame showing iteration >= 1
  ms/iter worker   optimiser time per iteration inside the worker (root.dataset.msPerIteration)
  ms/iter wall     (done - first frame) / iterations: what the reader waits, drawing included
  1000 iters       first frame -> state "done"
  total            navigation start -> state "done"

Usage: python bench/tsne_bench.py [--runs 3] [--site _site] [--path /demos/tsne/]
Targets: first frame < 1 s; 1000 iterations < 30 s. The script prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (bench/ is on sys.path when run)

# Installed before the page's scripts run: timestamps (ms since navigation start) of the first
# frame with iteration >= 1 and of the switch to state "done", from attribute mutations.
PROBE = """
window.__tsneBench = {firstStep: null, done: null};
new MutationObserver((records) => {
  for (const r of records) {
    const root = r.target;
    if (!root.classList || !root.classList.contains('demo-tsne')) continue;
    const b = window.__tsneBench;
    if (b.firstStep === null && Number(root.dataset.iteration) >= 1) b.firstStep = performance.now();
    if (b.done === null && root.dataset.state === 'done') b.done = performance.now();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-iteration', 'data-state']});
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        pass

    def guess_type(self, path):  # some systems map .js to text/plain; modules need JavaScript
        return "text/javascript" if str(path).endswith((".js", ".mjs")) else super().guess_type(path)


def build_site() -> Path:
    sys.path.insert(0, str(REPO))
    from generator.build import BuildOptions, build

    destination = Path(tempfile.mkdtemp(prefix="tsne-bench-")) / "_site"
    build(BuildOptions(source=REPO, destination=destination, quiet=True))
    return destination


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def measure(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.add_init_script(PROBE)
    page.goto(url)
    page.wait_for_function("document.querySelector('.demo-tsne')?.dataset.state === 'done'", timeout=300_000)
    result = page.evaluate(
        """() => {
            const root = document.querySelector('.demo-tsne');
            const mark = performance.getEntriesByName('tsne:first-frame')[0];
            return {
                firstFrame: mark ? mark.startTime : NaN,
                firstStep: window.__tsneBench.firstStep,
                done: window.__tsneBench.done,
                iterations: Number(root.dataset.iteration),
                msPerIteration: Number(root.dataset.msPerIteration),
                kl: Number(root.dataset.kl),
            };
        }"""
    )
    context.close()
    result["run"] = result["done"] - result["firstFrame"]
    result["wallPerIteration"] = result["run"] / result["iterations"]
    return result


def print_table(rows: list[dict[str, float]]) -> None:
    columns = [
        ("first frame (ms)", "firstFrame", "{:.0f}"),
        ("first step (ms)", "firstStep", "{:.0f}"),
        ("ms/iter worker", "msPerIteration", "{:.2f}"),
        ("ms/iter wall", "wallPerIteration", "{:.2f}"),
        ("1000 iters (s)", "run", "{:.2f}"),
        ("total (s)", "done", "{:.2f}"),
        ("final KL", "kl", "{:.4f}"),
    ]
    scale = {"run": 1e-3, "done": 1e-3}
    header = ["run"] + [title for title, _, _ in columns]
    lines = [header]
    for i, row in enumerate(rows, 1):
        lines.append([str(i)] + [fmt.format(row[key] * scale.get(key, 1)) for _, key, fmt in columns])
    lines.append(
        ["median"]
        + [fmt.format(statistics.median(r[key] for r in rows) * scale.get(key, 1)) for _, key, fmt in columns]
    )
    widths = [max(len(line[c]) for line in lines) for c in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description="t-SNE explorer benchmark (headless Chromium)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build one)")
    parser.add_argument("--path", default="/demos/tsne/")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    site = args.site or build_site()
    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = browser.version
            rows = [measure(browser, base + args.path) for _ in range(args.runs)]
            browser.close()
    finally:
        server.shutdown()
    print(
        f"t-SNE explorer, digits 1797x64, perplexity 30, {rows[0]['iterations']} iterations; "
        f"Chromium {version}, headless"
    )
    print_table(rows)


if __name__ == "__main__":
    main()
