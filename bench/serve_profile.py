"""cProfile of one `blog serve` edit-rebuild (SiteRebuilder.rebuild after editing one post) on the
build benchmark's corpus (bench/corpus.py), or with --blog on a copy of this blog (an edit of the RNN
post, as bench/serve_phases.py makes). Not a test: prints the top entries by cumulative and by own
time. Run: python bench/serve_profile.py [--posts 1000] [--top 25] [--warm 3] [--blog]"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generator.build import BuildOptions  # noqa: E402 (after the path tweak)
from generator.serve.server import SiteRebuilder  # noqa: E402
from generator.serve.watch import ChangeSet  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--warm", type=int, default=3, help="edit-rebuilds before the profiled one")
    parser.add_argument("--blog", action="store_true", help="this blog's RNN post instead of the corpus")
    args = parser.parse_args()
    import corpus
    from serve_bench import NOT_SITE, POST, cli_cache

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "site"
        if args.blog:
            shutil.copytree(REPO, source, ignore=NOT_SITE)
            rebuilder = SiteRebuilder(BuildOptions(source=source), cli_cache(source))
            post = source / POST
        else:
            source.mkdir()
            corpus.write_ours(source, corpus.make_posts(args.posts))
            rebuilder = SiteRebuilder(BuildOptions(source=source))
            post = sorted((source / "_posts").iterdir())[args.posts // 2]
        assert rebuilder.rebuild().ok
        for index in range(args.warm + 1):
            post.write_text(post.read_text("utf-8") + f"\nA paragraph added: profiled{index}z.\n", "utf-8")
            changes = ChangeSet.of([post], source)
            if index < args.warm:
                assert rebuilder.rebuild(changes).ok
        profile = cProfile.Profile()
        profile.enable()
        outcome = rebuilder.rebuild(changes)
        profile.disable()
        assert outcome.ok, outcome.error_lines
        changed = len(outcome.changed_outputs)
        print(f"rebuild: {outcome.seconds * 1000:.1f} ms wall (profiled), {changed} outputs changed")
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
