"""Build errors for outputs whose path safepath.py refuses, located where the user can fix them:
the front-matter line of `permalink` (or `categories`, or `tags` for a tag page), the
`_config.yml` line of a site-wide pattern or `paginate_path`, else line 1 of the source (a file
name). Only failing outputs are located, so a good build pays nothing for this module."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from slugify import slugify

from generator.config import Config, _display_path
from generator.errors import ConfigError, GeneratorError
from generator.model import Document, Post, Site
from generator.write.output import Output
from generator.load.permalinks import STYLES, expand, output_path_for, post_placeholders
from generator.write.safepath import Unsafe, problem


def unsafe_output_errors(outputs: list[Output], site: Site) -> list[GeneratorError]:
    errors: list[GeneratorError] = []
    documents: dict[str, Document] | None = None  # (made only when a path is refused)
    for output in outputs:
        unsafe = problem(output.output_path)
        if unsafe is not None:
            if documents is None:
                documents = {doc.source.relative: doc for doc in (*site.posts, *site.pages)}
            errors.append(_located(output, unsafe, documents, site))
    return errors


def message(what: str, value: str, unsafe: Unsafe) -> str:
    shown = value if len(value) <= 80 else f"{value[:50]}…({len(value)} characters)"
    if unsafe.escapes:
        return f"{what} resolves outside the site: {shown} ({unsafe.reason}); {unsafe.fix}"
    return f"{what} gives an output path that cannot be written: {shown} ({unsafe.reason}); {unsafe.fix}"


def _located(output: Output, unsafe: Unsafe, documents: dict[str, Document], site: Site) -> GeneratorError:
    config = site.config
    doc = documents.get(output.origin)
    if doc is not None:
        path, line = _document_line(doc, config)
        # Blamed on the site-wide pattern: show the pattern, so its one error is listed once.
        value = config.permalink if path == _config_line(config, "permalink")[0] else doc.url
        return GeneratorError(message("permalink", value, unsafe), path, line)
    if output.origin == "generated:home":
        path, line = _config_line(config, "paginate_path")
        return ConfigError(message("paginate_path", output.url, unsafe), path, line)
    if output.origin == "generated:tags":
        segment = output.output_path.split("/")[1] if output.output_path.count("/") >= 2 else ""
        for post in site.posts:
            if any(unquote(slugify(tag)) == segment for tag in post.tags):
                return GeneratorError(message("tag page", output.url, unsafe), *_front_line(post, ("tags", "tag")))
    what = "file name" if output.url == "/" + output.output_path else "output path"
    return GeneratorError(message(what, output.url, unsafe), output.origin, 1)


def _document_line(doc: Document, config: Config) -> tuple[str, int]:
    located = _front_line(doc, ("permalink",))
    if located[1] > 1:  # line 1 is the opening `---`: a key found is always below it
        return located
    pattern = config.permalink
    if isinstance(doc, Post) and doc.date and pattern not in STYLES and "permalink" not in doc.meta:
        # A site-wide pattern that escapes on its own (a plain title, no categories) is the culprit.
        plain = post_placeholders(doc.date, "x", "x", (), ".html")
        if problem(output_path_for(expand(pattern, plain))) is not None:
            return _config_line(config, "permalink")
    return _front_line(doc, ("categories", "category"))


def _front_line(doc: Document, keys: tuple[str, ...]) -> tuple[str, int]:
    """The first line where one of `keys` is set in the document's own front matter, else 1."""
    for number, text in enumerate(_front_text(doc).split("\n"), start=1):
        if any(re.match(rf"{re.escape(key)}\s*:", text) for key in keys):
            return doc.source.relative, number
    return doc.source.relative, 1


def _front_text(doc: Document) -> str:
    try:
        text = doc.source.path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.split("\n")[: max(doc.body_line - 1, 0)])


def _config_line(config: Config, key: str) -> tuple[str, int]:
    path = config.config_file or config.source / "_config.yml"
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    match = re.search(rf"(?m)^{re.escape(key)}\s*:", text)
    return _display_path(Path(path)), text.count("\n", 0, match.start()) + 1 if match else 1
