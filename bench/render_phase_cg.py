"""One cold `blog build` in this process with one phase wrapped in a marker C function, so that
callgrind counts the instructions of that phase alone (robust to the machine's load). Documents
render serially (BLOG_RENDER_FORKS=0). Prints nothing; run it under valgrind, in a site folder:

    rm -rf .blog-cache && PYTHONPATH=/path/to/checkout valgrind --tool=callgrind \
        --callgrind-out-file=/tmp/cg.%p --collect-atstart=no --toggle-collect=starmap_next \
        python bench/render_phase_cg.py /tmp/fresh-dest docs        # or: gen, write
    grep '^totals:' /tmp/cg.*     # the build's own process: the phase's instructions

The marker is `itertools.starmap`'s next function (the phase runs inside it): neither the generator
nor Jinja uses starmap, so nothing nested toggles the collection off."""

from __future__ import annotations

import gc
import itertools
import os
import sys
from pathlib import Path
from typing import Any

from generator.commands.process import collect_less

collect_less()
os.environ["BLOG_RENDER_FORKS"] = "0"

import generator.build as build_module  # noqa: E402
import generator.commands.cli  # noqa: E402,F401  (imported as `blog` imports it, before the freeze)

PHASES = {"docs": "render_documents", "gen": "generated_outputs", "write": "write_site"}


def main() -> int:
    name = PHASES[sys.argv[2]]
    phase = getattr(build_module, name)

    def marked(*args: Any, **kwargs: Any) -> Any:
        return next(itertools.starmap(lambda: phase(*args, **kwargs), [()]))

    setattr(build_module, name, marked)
    gc.freeze()
    build_module.build(build_module.BuildOptions(destination=Path(sys.argv[1]), quiet=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
