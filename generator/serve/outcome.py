"""The outcome of one `blog serve` rebuild (server.py's SiteRebuilder), as the browser and the
terminal need it. (Its own module to keep server.py under the module size limit.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.build import BuildResult


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
