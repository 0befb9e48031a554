"""The outcome of one `blog serve` rebuild (server.py's SiteRebuilder), as the browser and the
terminal need it. (Its own module to keep server.py under the module size limit.)"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import BuildOptions, BuildResult
from generator.config import load_config, normalise_baseurl
from generator.errors import GeneratorError
from generator.serve.http_handler import SiteState


@dataclass(frozen=True)
class Rebuild:
    """The outcome of one rebuild, as the browser and the terminal need it."""

    event: str  # "reload" (HTML or other files), "css" (only stylesheets), "none", "error"
    seconds: float
    changed_outputs: list[str] = field(default_factory=list)  # written + removed, relative paths
    error_lines: list[str] = field(default_factory=list)
    result: BuildResult | None = None

    @property
    def ok(self) -> bool:
        return self.event != "error"


def initial_state(options: BuildOptions) -> SiteState:
    """Where to serve from before any build succeeded (the first one may fail: then the previous
    output, if any, is served with the error overlay on top)."""
    try:
        config = load_config(
            Path(options.source),
            destination=options.destination,
            config_file=options.config_file,
            overrides={} if options.baseurl is None else {"baseurl": options.baseurl},
        )
        return SiteState(config.destination, config.baseurl, "", time.time())
    except GeneratorError:
        destination = options.destination or Path(options.source) / "_site"
        return SiteState(destination.resolve(), normalise_baseurl(options.baseurl or ""), "", time.time())
