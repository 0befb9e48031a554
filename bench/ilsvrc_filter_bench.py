"""Benchmark: filtering the 1000 ILSVRC classes on each keystroke, in headless Chromium.

Serves the repository on 127.0.0.1 (ephemeral port), mounts demos/ilsvrc on a bare page, then for
each word types it one character at a time and deletes it again. Each keystroke is timed inside the
page from the `input` event to a forced style+layout of the demo (search + DOM update + layout;
paint is excluded because headless timing of it is noise). Target: p95 < 16 ms (one frame at 60 Hz).

    python bench/ilsvrc_filter_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import threading
from pathlib import Path
from typing import ClassVar

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (bench/ is on sys.path when run)

WORDS = ["tabby", "dog", "vehicle", "espresso", "golden retriever", "mushroom", "space shuttle", "a"]
HARNESS = "/__ilsvrc_bench__.html"

MEASURE = """async ([words, rounds]) => {
  const root = document.querySelector('.demo-ilsvrc');
  const input = root.querySelector('.ilsvrc-filter');
  const times = {};
  const step = (value) => {
    input.value = value;
    const start = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
    void root.offsetHeight;  // force style and layout now
    return performance.now() - start;
  };
  for (const word of words) {
    times[word] = [];
    for (let r = 0; r < rounds; r++) {
      for (let i = 1; i <= word.length; i++) times[word].push(step(word.slice(0, i)));
      for (let i = word.length - 1; i >= 0; i--) times[word].push(step(word.slice(0, i)));
      await new Promise(requestAnimationFrame);
    }
  }
  return times;
}"""


def harness_html() -> str:
    sample = json.loads((REPO / "demos/ilsvrc/data/sample.json").read_text())
    paths = ["data/classes.json", "data/sample.json"] + [item["file"] for item in sample]
    options = {
        "mode": "practice",
        "set": "sample",
        "count": 0,
        "height": 0,
        "standalone": True,
        "assets": {p: f"/demos/ilsvrc/{p}" for p in paths},
    }
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<link rel="stylesheet" href="/demos/ilsvrc/demo.css"></head><body>
<div class="demo demo-ilsvrc" data-demo="ilsvrc"></div>
<script type="module">import {{mount}} from "/demos/ilsvrc/main.js";
mount(document.querySelector("[data-demo=ilsvrc]"), {json.dumps(options)});</script></body></html>"""


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
    }

    def do_GET(self) -> None:
        if self.path == HARNESS:
            body = harness_html().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description="ILSVRC class filter benchmark")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(REPO)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_address[1]}{HARNESS}")
            page.wait_for_selector(".demo-ilsvrc .ilsvrc-option")
            times = page.evaluate(MEASURE, [WORDS, args.rounds])
            browser.close()
    finally:
        server.shutdown()
    everything: list[float] = []
    print(f"{'word':<18}{'keystrokes':>11}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for word in WORDS:
        values = times[word]
        everything += values
        print(
            f"{word!r:<18}{len(values):>11}{statistics.median(values):>9.2f}"
            f"{percentile(values, 0.95):>9.2f}{max(values):>9.2f}"
        )
    p95 = percentile(everything, 0.95)
    print(f"{'all':<18}{len(everything):>11}{statistics.median(everything):>9.2f}{p95:>9.2f}{max(everything):>9.2f}")
    print(f"target p95 < 16 ms: {'met' if p95 < 16 else 'NOT met'}")


if __name__ == "__main__":
    main()
