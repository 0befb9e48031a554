"""CPU seconds of each phase of one `blog build` of SITE, in a new process, as the CLI runs it (a
fresh state and the caches from SITE/.blog-cache). A profile without a profiler's overhead, which on
this 2-core machine under other load distorts cProfile's figures several times over: every phase
function is wrapped with a process_time() counter. Prints, asserts nothing.

Run after a build to see a no-op rebuild; append to a post first to see a one-edit rebuild:
    python bench/rebuild_phases.py /tmp/bench-build/1000/ours"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

started = time.process_time()
import generator.commands.cli  # noqa: E402,F401  (what `blog build` imports)

IMPORTS = time.process_time() - started

from generator import assemble  # noqa: E402
from generator import build as pipeline  # noqa: E402
from generator.render import documents  # noqa: E402

from phase_timer import Phase, PhaseTimer, print_table  # noqa: E402

PHASES: list[Phase] = [
    (pipeline, "load_config", "config"),
    (pipeline, "discover_plugins", "plugins"),
    (pipeline, "load_renders", "open .blog-cache"),
    (pipeline, "load_site", "load_site"),
    (assemble, "discover", "  discover"),
    (assemble, "_load_indexed", "  posts and pages"),
    (documents.DocumentRenderer, "__post_init__", "renderer, views"),
    (documents.DocumentRenderer, "prefetch", "prefetch"),
    (documents.DocumentRenderer, "convert", "convert (cached)"),
    (documents.DocumentRenderer, "fill", "fill (reading time)"),
    (documents.DocumentRenderer, "seal", "seal (view prints)"),
    (documents.DocumentRenderer, "render_page", "render_page (reuse)"),
    (pipeline, "generated_outputs", "generated pages"),
    (pipeline, "unsafe_output_errors", "output path checks"),
    (pipeline, "write_site", "write_site"),
    (pipeline, "save_renders", "save .blog-cache"),
]


def main() -> int:
    timer = PhaseTimer(PHASES)
    began = time.process_time()
    result = pipeline.build(pipeline.BuildOptions(source=Path(sys.argv[1])))
    total = time.process_time() - began
    print(result.summary())
    print(f"imports {IMPORTS:.3f} s, build {total:.3f} s CPU")
    print_table(
        "phases of the build",
        {label: (timer.wall[label], timer.cpu[label]) for label in timer.labels if label in timer.wall},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
