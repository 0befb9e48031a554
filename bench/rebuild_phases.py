"""CPU seconds of each phase of one `blog build` of SITE, in a new process, as the CLI runs it (a
fresh state and the caches from SITE/.blog-cache). A profile without a profiler's overhead, which on
this 2-core machine under other load distorts cProfile's figures several times over: every phase
function is wrapped with a process_time() counter. Prints, asserts nothing.

Run after a build to see a no-op rebuild; append to a post first to see a one-edit rebuild:
    python bench/rebuild_phases.py /tmp/bench-build/1000/ours"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

started = time.process_time()
import generator.commands.cli  # noqa: E402,F401  (what `blog build` imports)

IMPORTS = time.process_time() - started

from generator import assemble  # noqa: E402
from generator import build as pipeline  # noqa: E402
from generator.render import documents  # noqa: E402

PHASES: list[tuple[Any, str, str]] = [
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
    totals: dict[str, float] = {}

    def timed(function: Any, label: str) -> Any:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.process_time() - began

        return wrapper

    for owner, name, label in PHASES:
        if hasattr(owner, name):  # a phase an older checkout lacks is left out
            setattr(owner, name, timed(getattr(owner, name), label))
    began = time.process_time()
    result = pipeline.build(pipeline.BuildOptions(source=Path(sys.argv[1])))
    total = time.process_time() - began
    print(result.summary())
    print(f"imports {IMPORTS:.3f} s, build {total:.3f} s CPU")
    for label, seconds in totals.items():
        print(f"  {label:24} {seconds:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
