"""What a rebuild in the same process (`blog serve`) takes from the last one instead of making it
again. Every entry is kept together with the very inputs it was made from (the Document object
the source index hands out while its file is unchanged, the settings) and is used only when they
are the same objects or equal values, so output stays exactly what a cold build makes:

- a document's view values before filling (render/views.py, `known_views`);
- a markdown document's conversion (content, excerpt, table of contents) and the warnings it gave,
  when neither Jinja nor Liquid made its text (those read the site) and it names no image (image
  files may change under it): `known_conversions`; and the view values made from a conversion
  (reading time, description): `known_fills` (documents.py);
- generated outputs whose inputs are compared directly (the feed): `known_outputs`.

Only when `BuildState.remember` is set (`blog serve`'s SiteRebuilder); a `blog build` keeps none."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generator.errors import GeneratorError
from generator.incremental.state import BuildState
from generator.model import Document
from generator.render.cache import ConversionCache


class DocumentRenderer(Protocol):
    """What this module uses of render/documents.py's renderer (which imports this module)."""

    state: BuildState
    cache: ConversionCache
    warnings: list[GeneratorError]
    fingerprint: str
    liquid: Any
    site: Any


@dataclass
class Converted:
    content: str
    excerpt: str
    toc: str
    toc_count: int


def _settings(renderer: DocumentRenderer) -> tuple[str, str]:
    # Every config value and the markdown settings (the renderer's template salt covers both), and
    # the baseurl the HTML was finished with.
    return renderer.state.bytecode.salt, renderer.site.config.baseurl


def known_conversion(renderer: DocumentRenderer, doc: Document, count: bool = True) -> Converted | None:
    """Last rebuild's conversion of `doc`, if it was made from this very Document under the same
    settings. `count`: the conversion is used (its warnings are given again, its cache rows kept)."""
    entry = renderer.state.known_conversions.get(doc.source.relative)
    if entry is None or entry[0] is not doc or entry[1] != _settings(renderer):
        return None
    if count:
        renderer.warnings.extend(entry[3])
        renderer.cache.keep(entry[4])  # as if looked up again: the cache does not prune them
    return entry[2]


def remember_conversion(
    renderer: DocumentRenderer, doc: Document, converted: Converted, warnings: Sequence[GeneratorError]
) -> None:
    state = renderer.state
    relative = doc.source.relative
    state.known_conversions.pop(relative, None)
    if not state.remember or not doc.is_markdown or doc.render_with_jinja or renderer.liquid is not None:
        return
    content = state.finished.get(f"{relative}\0content")
    excerpt = state.finished.get(f"{relative}\0excerpt")
    # _finished keeps an HTML text only when it names no image: then it depends on nothing but the text.
    if content is None or excerpt is None or content[2] is not converted.content:
        return
    if excerpt[2] is not converted.excerpt:
        return
    if isinstance(doc.meta.get("excerpt"), str):  # as _excerpt_text chooses it
        text = doc.meta["excerpt"]
    else:
        made = state.finished.get(f"{relative}\0excerpt-text")
        if made is None or made[0] is not doc.body:
            return
        text = made[2]
    fingerprint = renderer.fingerprint
    keys = (ConversionCache.key(doc.body, fingerprint), ConversionCache.key(text, fingerprint))
    state.known_conversions[relative] = (doc, _settings(renderer), converted, tuple(warnings), keys)


def known_output(state: BuildState, kind: str, inputs: Hashable, make: Callable[[], Any]) -> Any:
    """`make()`, or what it made last time for equal `inputs` (the same bytes object: the spool
    then knows it unchanged without hashing it)."""
    if not state.remember:
        return make()
    entry = state.known_outputs.get(kind)
    if entry is not None and entry[0] == inputs:
        return entry[1]
    made = make()
    state.known_outputs[kind] = (inputs, made)
    return made


def forget_gone(state: BuildState, present: set[str]) -> None:
    """What is kept per document, for documents that are gone (a long session stays as big as the
    site). Nothing to do when the documents are the ones of the last call (an edit in place)."""
    if present == state.present_documents:
        return
    for memo in (state.reading, state.reading_texts, state.known_views, state.known_conversions, state.known_fills):
        for gone in [relative for relative in memo if relative not in present]:
            del memo[gone]
    for gone in [key for key in state.finished if key.partition("\0")[0] not in present]:
        del state.finished[gone]
    state.present_documents = frozenset(present)
