"""The error hierarchy. Every problem a user can cause is a GeneratorError whose str() is one line:
``path:line: message`` (path and line only when known), so the CLI can print it without a traceback."""

from __future__ import annotations

from pathlib import Path


def one_line(text: str) -> str:
    """Control characters (a newline in a file name, say) are escaped: one problem, one line."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode() for ch in text)


class GeneratorError(Exception):
    """A problem with the user's input, reported as ``path:line: message``."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        where = one_line(self.location())
        return f"{where}: {one_line(self.message)}" if where else one_line(self.message)


class ConfigError(GeneratorError):
    """A bad `_config.yml` value or command-line setting."""


class ContentError(GeneratorError):
    """A post, page or data file that cannot be used as written."""


class FrontMatterError(ContentError):
    """Front matter that is not valid YAML or has a value of the wrong type."""


class PostNameError(ContentError):
    """A file in `_posts/` whose name is not YYYY-MM-DD-slug.ext."""


class TemplateError(GeneratorError):
    """A Jinja2 syntax or runtime error, located in the template (or markdown) that caused it."""


class OutputCollisionError(GeneratorError):
    """Two sources would write the same output path."""


class DemoError(GeneratorError):
    """A demo manifest or an embed call that cannot be honoured."""


class DeployError(GeneratorError):
    """Publishing refused or failed; nothing was pushed."""


class BuildFailed(GeneratorError):
    """All the errors of one build, collected so the user sees every problem at once."""

    def __init__(self, errors: list[GeneratorError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(f"build failed with {count} error{'s' if count != 1 else ''}")

    def lines(self) -> list[str]:
        return [str(error) for error in self.errors]
