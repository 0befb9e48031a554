"""`blog serve` benchmarks (not tests: they print tables, they assert nothing about time).

1. Edit-to-browser latency on this blog: a temp copy of the repository's site is served with
   `--watch`; headless Chromium shows a post; each edit appends a marked paragraph to the post's
   markdown and we time from just before the write to the first frame showing the new text (read
   inside the page with performance.timeOrigin + now(), on the same clock). Median over N edits.
2. Rebuild after editing one post of a synthetic 1,000-post site (this repo's theme; posts with tags,
   code and math) through serve's rebuild path (SiteRebuilder, warm in-memory cache) vs a cold
   `build` (empty cache, empty destination).

3. `--corpus`: the build benchmark's corpus (bench/corpus.py, the packaged theme) through serve's
   rebuild path: edit one post's body (a paragraph added), rebuild in process with the state
   `blog serve` keeps, check the output shows the edit. Median edit -> rebuilt output (issue #19:
   < 50 ms at 1,000 posts), with the CPU time of the rebuild.

4. `--browser-corpus`: as 1., on that corpus (a post in the middle; issue #19: < 100 ms).

5. `--browser-blog`: only 1.

Run: python bench/serve_bench.py [--edits 10] [--posts 1000] [--skip-browser] [--corpus] [--browser-corpus]
[--browser-blog]"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import BuildOptions, build  # after the path tweak, for a bare checkout
from generator.render.cache import ConversionCache
from generator.serve.server import DevServer, SiteRebuilder
from generator.serve.watch import ChangeSet

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (bench/ is on sys.path when run)

NOT_SITE = shutil.ignore_patterns(
    "_site",
    ".git",
    ".blog-cache",
    "tests",
    "bench",
    "node_modules",
    "__pycache__",
    "*.egg-info",
    ".benchmarks",
    ".coverage",
    ".pytest_cache",
    ".hypothesis",
    "scripts",
)
POST = "_posts/2015-05-21-rnn-effectiveness.md"
POST_URL = "2015/05/21/rnn-effectiveness/"


def cli_cache(source: Path) -> ConversionCache:
    """The cache `blog serve` opens (commands/serve_command.py), in the site's .blog-cache: what
    the first build's worker processes converted is found there by the edits."""
    return ConversionCache.load(source / ".blog-cache")


def reload_latency(edits: int, corpus_posts: int = 0) -> dict[str, float]:
    """`corpus_posts`: a build benchmark corpus of that many posts instead of this blog."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "site"
        post_file, post_url = POST, POST_URL
        if corpus_posts:
            import corpus

            source.mkdir()
            corpus.write_ours(source, corpus.make_posts(corpus_posts))
            post_file, post_url = sorted((source / "_posts").iterdir())[corpus_posts // 2].relative_to(source), None
        else:
            shutil.copytree(REPO, source, ignore=NOT_SITE)
        # The cache as `blog serve` opens it (serve_command.py): .blog-cache in the source folder.
        server = DevServer(
            BuildOptions(source=source), port=0, watch=True, log=lambda message: None, cache=cli_cache(source)
        )
        server.convert_ahead = True  # as the CLI starts it (serve/ahead.py; an older checkout ignores it)
        build_seconds: list[float] = []
        build_cpu: list[float] = []  # the rebuilding thread's own CPU time: wall minus it is waiting
        build_started: list[float] = []
        build_ended: list[float] = []
        rebuild = server.rebuilder.rebuild

        def timed_rebuild(changes: ChangeSet | None = None):
            build_started.append(time.time())
            cpu = time.thread_time()
            outcome = rebuild(changes)
            build_cpu.append(time.thread_time() - cpu)
            build_seconds.append(outcome.seconds)
            build_ended.append(time.time())
            return outcome

        server.rebuilder.rebuild = timed_rebuild  # type: ignore[method-assign]
        published: list[float] = []
        publish = server.hub.publish

        def timed_publish(*args, **kwargs):  # type: ignore[no-untyped-def]
            published.append(time.time())
            return publish(*args, **kwargs)

        server.hub.publish = timed_publish  # type: ignore[method-assign]
        previewed: list[float] = []  # the edited page sent ahead of its build (serve/preview.py)
        if hasattr(server.hub, "announce"):  # (an older checkout has no previews)
            announce = server.hub.announce

            def timed_announce(*args, **kwargs):  # type: ignore[no-untyped-def]
                previewed.append(time.time())
                return announce(*args, **kwargs)

            server.hub.announce = timed_announce  # type: ignore[method-assign]
        server.start()
        if getattr(server.rebuilder, "ahead", None) is not None:
            server.rebuilder.ahead.wait_ready()  # (its start-up is not an edit's)
            if os.environ.get("BENCH_NO_EARLY") and server.watcher is not None:
                server.watcher.on_saved = None  # (A/B: the worker starts with the rebuild)
        post = source / post_file
        if post_url is None:  # the corpus post's page, as the first build made it
            assert server.rebuilder.result is not None
            made = [o for o in server.rebuilder.result.outputs if o.origin == Path(post_file).as_posix()]
            post_url = made[0].url.lstrip("/")
        original = post.read_text("utf-8")
        latencies, waits, previews = [], [], []
        parts: dict[str, list[float]] = {
            "publish": [],
            "notify": [],
            "fetch": [],
            "parse": [],
            "patch": [],
            "paint": [],
        }
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(server.url + post_url)
                page.wait_for_load_state("load")
                for index in range(edits + 1):  # the first edit warms up and is not counted
                    marker = f"BENCH-EDIT-{index}-{random.randrange(10**9)}"
                    started = time.time()
                    previewed.clear()
                    post.write_text(original + f"\n\n{marker}\n", "utf-8")
                    # The moment the page shows the new text, taken inside the page on the first
                    # animation frame that has it (a reload, or the in-place refresh of a page
                    # without scripts, which has no new DOMContentLoaded).
                    seen = page.wait_for_function(
                        f"() => document.body && document.body.textContent.includes('{marker}')"
                        " && performance.timeOrigin + performance.now()",
                        polling="raf",
                        timeout=30_000,
                    )
                    loaded = seen.json_value()
                    # The client's own marks (an in-place refresh; a real reload has none).
                    # A previewed edit (serve/preview.py) is shown by the preview's refresh: its marks.
                    prefix = "preview-" if previewed else ""
                    marks = page.evaluate(
                        "(prefix) => ['event', 'received', 'fetched', 'patched'].map((name) => {"
                        " const m = performance.getEntriesByName('blog-livereload:' + prefix + name).at(-1);"
                        " return m ? performance.timeOrigin + m.startTime : null; })",
                        prefix,
                    )
                    page.evaluate("() => performance.clearMarks()")
                    if index:
                        latencies.append(loaded - started * 1000)
                        waits.append(1000 * (build_started[-1] - started))
                        if previewed:
                            previews.append(1000 * (previewed[0] - started))
                        if None not in marks:
                            event, received, fetched, patched = marks
                            sent = previewed[0] if previewed else published[-1]
                            parts["publish"].append(float("nan") if previewed else 1000 * (sent - build_ended[-1]))
                            parts["notify"].append(event - 1000 * sent)
                            parts["fetch"].append(received - event)
                            parts["parse"].append(fetched - received)
                            parts["patch"].append(patched - fetched)
                            parts["paint"].append(loaded - patched)
                    time.sleep(0.3)  # let the page settle (scroll restore, event stream reconnect)
                browser.close()
        finally:
            server.stop()
    edit_builds = build_seconds[2:]  # skip the initial build and the warm-up edit
    edit_cpu = build_cpu[2:]
    return {
        "median_ms": statistics.median(latencies),
        "min_ms": min(latencies),
        "max_ms": max(latencies),
        "wait_median_ms": statistics.median(waits),
        "preview_median_ms": statistics.median(previews) if previews else float("nan"),
        "build_median_ms": 1000 * statistics.median(edit_builds) if edit_builds else float("nan"),
        "build_cpu_median_ms": 1000 * statistics.median(edit_cpu) if edit_cpu else float("nan"),
        **{
            f"{name}_median_ms": statistics.median(values) if values else float("nan") for name, values in parts.items()
        },
    }


# ---- the synthetic site ---------------------------------------------------------------------------

WORDS = [
    "network",
    "gradient",
    "loss",
    "model",
    "layer",
    "data",
    "training",
    "image",
    "vector",
    "neuron",
    "weight",
    "output",
    "input",
    "softmax",
    "batch",
    "learning",
    "error",
    "function",
    "feature",
    "sample",
]
TAGS = ["ml", "vision", "rl", "rnn", "js", "math", "life", "research", "code", "data"]


def synthetic_post(rng: random.Random, index: int) -> str:
    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."

    paragraphs = [" ".join(sentence() for _ in range(4)) for _ in range(4)]
    tags = ", ".join(rng.sample(TAGS, 3))
    return (
        f'---\ntitle: "Synthetic post {index}"\ntags: [{tags}]\n---\n\n{paragraphs[0]}\n\n'
        f"## Setup\n\n{paragraphs[1]} The loss is $L = -\\sum_i y_i \\log p_i$ for each sample.\n\n"
        f"```python\ndef step(w, grad, lr=0.{index % 9 + 1}):\n    return w - lr * grad\n```\n\n"
        f"## Result\n\n{paragraphs[2]}\n\n$$\\frac{{\\partial L}}{{\\partial w}} = x^T (p - y)$$\n\n{paragraphs[3]}\n"
    )


def make_synthetic_site(root: Path, posts: int) -> list[Path]:
    for folder in ("_layouts", "_includes", "assets"):
        if (REPO / folder).is_dir():  # (the blog's layouts and includes are the packaged theme's now)
            shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    rng = random.Random(1000)
    (root / "_posts").mkdir()
    paths = []
    for index in range(posts):
        day = 10_000 + index  # distinct dates, one per day from 1997 on
        date = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        path = root / "_posts" / f"{date}-synthetic-{index}.md"
        path.write_text(synthetic_post(rng, index), "utf-8")
        paths.append(path)
    return paths


def incremental_vs_cold(posts: int, edits: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "site"
        source.mkdir()
        paths = make_synthetic_site(source, posts)
        started = time.perf_counter()
        build(BuildOptions(source=source, destination=Path(folder) / "cold"), cache=ConversionCache())
        cold = time.perf_counter() - started

        rebuilder = SiteRebuilder(BuildOptions(source=source))
        first = rebuilder.rebuild()  # serve's own first build (cold cache), then edits on a warm one
        assert first.ok, first.error_lines
        rng = random.Random(7)
        times = []
        for index in range(edits):
            post = rng.choice(paths)
            post.write_text(post.read_text("utf-8") + f"\nAn edited line {index}.\n", "utf-8")
            outcome = rebuilder.rebuild(ChangeSet.of([post], source))
            assert outcome.ok, outcome.error_lines
            times.append(outcome.seconds)
        noop = statistics.median(rebuilder.rebuild(ChangeSet.of([paths[0]], source)).seconds for _ in range(3))
    return {"cold_s": cold, "serve_first_s": first.seconds, "incremental_s": statistics.median(times), "noop_s": noop}


def corpus_edits(posts: int, edits: int, verbose: bool = False) -> dict[str, float]:
    """Serve's in-process rebuild after editing one post of the build benchmark's corpus."""
    import corpus

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "site"
        source.mkdir()
        corpus.write_ours(source, corpus.make_posts(posts))
        rebuilder = SiteRebuilder(BuildOptions(source=source), cli_cache(source))
        first = rebuilder.rebuild()
        assert first.ok, first.error_lines
        paths = sorted((source / "_posts").iterdir())
        rng = random.Random(19)
        walls, cpus = [], []
        for index in range(edits):
            post = rng.choice(paths)
            text = post.read_text("utf-8")
            marker = f"corpusedit{index}z"
            post.write_text(f"{text}\nA paragraph added: {marker}.\n", "utf-8")  # its page changes, not its excerpt
            began, cpu = time.perf_counter(), time.process_time()
            outcome = rebuilder.rebuild(ChangeSet.of([post], source))
            walls.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu)
            assert outcome.ok, outcome.error_lines
            if verbose:
                print(f"edit {index}: {1000 * walls[-1]:.1f} ms wall, {1000 * cpus[-1]:.1f} ms CPU", flush=True)
            shown = [o for o in rebuilder.result.outputs if o.origin == post.relative_to(source).as_posix()]
            assert shown and marker in (source / "_site" / shown[0].output_path).read_text("utf-8"), marker
    return {
        "first_s": first.seconds,
        "median_ms": 1000 * statistics.median(walls),
        "min_ms": 1000 * min(walls),
        "max_ms": 1000 * max(walls),
        "cpu_median_ms": 1000 * statistics.median(cpus),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--corpus", action="store_true", help="only: one-post edits of the build benchmark's corpus")
    parser.add_argument("--verbose", action="store_true", help="--corpus: print each edit's time")
    parser.add_argument("--browser-corpus", action="store_true", help="only: edit -> reloaded page on the corpus")
    parser.add_argument("--browser-blog", action="store_true", help="only: edit -> reloaded page on this blog")
    args = parser.parse_args()
    if args.corpus:
        numbers = corpus_edits(args.posts, args.edits, args.verbose)
        print(f"\nBuild benchmark corpus, {args.posts} posts: one post edited -> rebuilt output (serve, in process)")
        print(f"{'median':>10} {'min':>10} {'max':>10} {'cpu median':>11} {'first build':>12}")
        print(
            f"{numbers['median_ms']:>8.1f}ms {numbers['min_ms']:>8.1f}ms {numbers['max_ms']:>8.1f}ms "
            f"{numbers['cpu_median_ms']:>9.1f}ms {numbers['first_s']:>11.2f}s   (target: median < 50 ms)"
        )
        return 0
    if args.browser_corpus:
        latency = reload_latency(args.edits, args.posts)
        print(
            f"\nEdit -> reloaded page (build benchmark corpus, {args.posts} posts, {args.edits} edits, "
            "headless Chromium)"
        )
    elif not args.skip_browser:
        latency = reload_latency(args.edits)
        print(f"\nEdit -> reloaded page (this blog, {POST}, {args.edits} edits, headless Chromium)")
    if args.browser_corpus or not args.skip_browser:
        print(f"{'median':>10} {'min':>10} {'max':>10} {'write->build':>14} {'build':>8} {'(cpu)':>8} {'->shown':>8}")
        rest = latency["median_ms"] - latency["wait_median_ms"] - latency["build_median_ms"]
        print(
            f"{latency['median_ms']:>8.0f}ms {latency['min_ms']:>8.0f}ms {latency['max_ms']:>8.0f}ms "
            f"{latency['wait_median_ms']:>12.0f}ms {latency['build_median_ms']:>6.0f}ms "
            f"{latency['build_cpu_median_ms']:>6.0f}ms {rest:>6.0f}ms"
            "   (target: median < 100 ms; the last three are medians of the parts)"
        )
        preview = latency["preview_median_ms"]
        print(
            f"  write -> edited page sent ahead of its build (preview): {preview:.0f} ms, then on screen "
            f"{latency['median_ms'] - preview:.0f} ms later (medians; parts below: the preview's)"
        )
        print(
            "  ->shown, in-place refreshes: rebuilt -> event sent {publish_median_ms:.1f} ms, -> page "
            "{notify_median_ms:.1f} ms, fetch {fetch_median_ms:.1f} ms, parse {parse_median_ms:.1f} ms, "
            "patch {patch_median_ms:.1f} ms, -> first frame showing it {paint_median_ms:.1f} ms (medians)".format(
                **latency
            )
        )
    if args.browser_corpus or args.browser_blog:
        return 0
    numbers = incremental_vs_cold(args.posts)
    print(f"\nSynthetic site, {args.posts} posts (this repo's theme)")
    print(f"{'cold build':>12} {'serve first':>12} {'edit 1 post':>12} {'no change':>10} {'edit/cold':>10}")
    print(
        f"{numbers['cold_s']:>11.2f}s {numbers['serve_first_s']:>11.2f}s {numbers['incremental_s']:>11.3f}s "
        f"{numbers['noop_s']:>9.3f}s {100 * numbers['incremental_s'] / numbers['cold_s']:>9.1f}%"
        "   (target: edit < 0.25 s and < 5% of cold)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
