"""Where `blog serve`'s rebuild after an edit of one post goes, by phase (wall time, medians). Not a
test: prints a table. Every phase function is wrapped with a perf_counter() counter (no profiler:
on this busy 2-core machine cProfile distorts the figures several times over); nested phases are
indented under the phase that calls them, so they are part of its time.

The site is a temp copy of this blog (the RNN post, 56 KB of markdown with 19 code blocks and 85
image references, by default) served the way `blog serve` does: SiteRebuilder with the cache in
the copy's .blog-cache; each edit appends a paragraph; the first edit warms up and is not counted.

With --corpus N: the build benchmark's corpus of N posts (bench/corpus.py), its middle post edited.
--extra module:Class.method adds a phase (e.g. generator.incremental.reuse:RenderReuse.seal).

With the worker `blog serve` uses to convert an edited file ahead (serve/ahead.py), unless --no-ahead.

Run: python bench/serve_phases.py [--edits 8] [--no-ahead] [--corpus 1000]
    [--post _posts/2015-05-21-rnn-effectiveness.md]"""

from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generator import assemble, plugins  # noqa: E402 (after the path tweak)
from generator import build as pipeline  # noqa: E402
from generator.build import BuildOptions  # noqa: E402
from generator.render import documents, fences, generated, images  # noqa: E402
from generator.write import journal, spool  # noqa: E402
from generator.serve.server import SiteRebuilder  # noqa: E402
from generator.serve.watch import ChangeSet  # noqa: E402

from phase_timer import Phase, PhaseTimer, print_table  # noqa: E402
from serve_bench import NOT_SITE, POST, cli_cache  # noqa: E402

# (owner, attribute, label): the label's indentation shows which phase calls it.
PHASES: list[Phase] = [
    (pipeline, "load_site", "load_site"),
    (plugins.PluginSet, "call", "  plugins (the blog's _plugins)"),
    (assemble, "load_demos", "  demos"),
    (documents.DocumentRenderer, "prefetch", "prefetch"),
    (images.ImagePipeline, "prepare", "  images: probe before converting"),
    (documents.DocumentRenderer, "convert", "convert"),
    (documents, "render_markdown", "  markdown"),
    (fences.PygmentsObjects, "hilite", "    code blocks"),
    (images.ImagePipeline, "rewrite", "  images: size in the HTML"),
    (documents.DocumentRenderer, "render_page", "render pages"),
    (pipeline, "generated_outputs", "generated pages (feed, home, tags)"),
    (generated, "paginate", "  home"),
    (generated, "archive", "  archive"),
    (generated, "tags", "  tags"),
    (generated, "feed", "  feed"),
    (generated, "demo_pages", "  demo pages"),
    (generated, "sitemap", "  sitemap"),
    (spool.Spool, "add", "  spool (hash, stage)"),
    (pipeline, "unsafe_output_errors", "output path checks"),
    (pipeline, "write_site", "write"),
    (journal, "commit", "  journal + marker"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=8)
    parser.add_argument("--post", default=POST)
    parser.add_argument("--corpus", type=int, default=0, metavar="POSTS", help="the build benchmark's corpus instead")
    parser.add_argument("--no-ahead", dest="ahead", action="store_false", help="no worker converting the edit ahead")
    parser.add_argument("--extra", action="append", default=[], metavar="MODULE:OBJECT.ATTR", help="one more phase")
    args = parser.parse_args()
    for extra in args.extra:  # e.g. generator.incremental.reuse:RenderReuse.seal
        module, _, attribute = extra.partition(":")
        owner_name, _, name = attribute.rpartition(".")
        owner = importlib.import_module(module)
        for part in filter(None, owner_name.split(".")):
            owner = getattr(owner, part)
        PHASES.append((owner, name, f"{extra}"))
    timer = PhaseTimer(PHASES)
    table: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "site"
        if args.corpus:
            import corpus

            source.mkdir()
            corpus.write_ours(source, corpus.make_posts(args.corpus))
            post = sorted((source / "_posts").iterdir())[args.corpus // 2]
            args.post = f"{post.relative_to(source)} (corpus of {args.corpus})"
        else:
            shutil.copytree(REPO, source, ignore=NOT_SITE)
            post = source / args.post
        rebuilder = SiteRebuilder(BuildOptions(source=source), cli_cache(source))
        assert rebuilder.rebuild().ok
        if args.ahead and hasattr(rebuilder, "ahead"):  # as `blog serve` does (serve/ahead.py)
            from generator.serve.ahead import ConvertAhead

            assert rebuilder.result is not None
            rebuilder.ahead = ConvertAhead(dict(rebuilder.result.config.markdown))
            rebuilder.ahead.wait_ready()
        sent: list[tuple[float, float]] = []  # (wall, CPU) when the edited page went out (serve/preview.py)
        rebuilder.on_page = lambda path, data: sent.append((time.perf_counter(), time.thread_time()))
        original = post.read_text("utf-8")
        for index in range(args.edits + 1):
            post.write_text(original + f"\n\nAn added paragraph {index}.\n", "utf-8")
            timer.clear()
            sent.clear()
            wall, cpu = time.perf_counter(), time.thread_time()
            outcome = rebuilder.rebuild(ChangeSet.of([post], source))
            assert outcome.ok, outcome.error_lines
            if index:  # the first edit warms up
                table["rebuild"].append((outcome.seconds, time.thread_time() - cpu))
                if sent:
                    table["  edited page sent (preview), from the start"].append((sent[0][0] - wall, sent[0][1] - cpu))
                for label in timer.labels:
                    table[label].append((timer.wall[label], timer.cpu[label]))
    medians = {
        label: (statistics.median(w for w, _ in pairs), statistics.median(c for _, c in pairs))
        for label, pairs in table.items()
    }
    print_table(f"serve: one edit of {args.post} -> rebuilt output, medians of {args.edits} edits", medians)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
