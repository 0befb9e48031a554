"""The edited documents' pages first (`blog serve`, issue #19): during an edit-rebuild the spool's
listener (serve/preview.py) waits for the pages made from the changed files, to show them before
the build ends. Rendering in document order made it wait for the reuse checks of every document
before them (≈ 5 ms of CPU for a post in the middle of 1,000). Here they are rendered ahead, and
what they made (output or error, and the warnings they gave) is put back at their place in
document order by the caller, so outputs, messages and everything after are a serial build's."""

from __future__ import annotations

from typing import Protocol

from generator.errors import GeneratorError
from generator.model import Document
from generator.write import spool as spooling
from generator.write.output import Output
from generator.write.spool import Spool

Ahead = dict[int, tuple[Output | GeneratorError, list[GeneratorError]]]


class Renderer(Protocol):
    warnings: list[GeneratorError]

    def render_page(self, doc: Document) -> Output: ...


def render_ahead(renderer: Renderer, todo: list[Document], spool: Spool | None) -> Ahead:
    """index in `todo` -> what rendering that document made, for the documents the listener waits
    for; nothing when no listener waits (every build but serve's edit-rebuilds)."""
    wanted = spooling.awaited() if spool is not None else frozenset()
    made: Ahead = {}
    if not wanted or spool is None:
        return made
    for index, doc in enumerate(todo):
        if doc.source.relative not in wanted:
            continue
        warned = len(renderer.warnings)
        try:
            result: Output | GeneratorError = spool.add(renderer.render_page(doc))
        except GeneratorError as e:
            result = e
        made[index] = (result, renderer.warnings[warned:])
        del renderer.warnings[warned:]
    return made


def put_back(
    made: tuple[Output | GeneratorError, list[GeneratorError]],
    renderer: Renderer,
    outputs: list[Output],
    errors: list[GeneratorError],
) -> None:
    """What `render_ahead` made for one document, at its place in document order."""
    result, warnings = made
    renderer.warnings.extend(warnings)
    if isinstance(result, GeneratorError):
        errors.append(result)
    else:
        outputs.append(result)
