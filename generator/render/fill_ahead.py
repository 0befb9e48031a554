"""Work the parent does while a cold `blog build`'s conversion workers finish (issue #19).

`DocumentRenderer.prefetch` waits for the workers (render/early_conversion.py), the parent idle;
then the build converts and fills every document, one after the other (≈ 0.1 s for 1,000 posts,
one core), and renders its first document alone before forking, which compiled the layouts
(≈ 60 ms, one core). During the wait instead:

- the layouts and what they include compile (render/warm_layouts.py);
- each document whose body and excerpt are converted is converted and filled as the build's own
  loop would (`renderer.convert`, `renderer.fill`): at once for those the workers finished while
  the site loaded, the others as their texts come back.

The build's loop then takes each document's outcome in document order (`take`): the warnings a
conversion gave and its error are kept aside and handed over there, so messages come in the same
order as before. Only markdown documents whose text is their body as read take part (no Jinja,
no Liquid: their source is made by the renderer, in order). Output is unchanged: `fill` gives each
view the same values whatever the order (tests/test_early_conversion.py compares with a serial
build, messages and cache rows included)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from generator.errors import GeneratorError
from generator.model import Document
from generator.render.lazy_parts import warm_layouts

Arrived = Callable[[list[str]], None]

if TYPE_CHECKING:
    from generator.render.documents import DocumentRenderer


class FillAhead:
    """For one group of documents of one build: `plan` (from prefetch), then `take` in order."""

    def __init__(self, renderer: DocumentRenderer) -> None:
        self.renderer = renderer
        self.filled = 0  # documents filled during the wait: what tests count
        self._outcomes: dict[str, tuple[list[GeneratorError], GeneratorError | None]] = {}
        self._needs: dict[str, int] = {}  # document -> its texts still converting
        self._waiting: dict[str, list[Document]] = {}  # text -> the documents that wait for it
        self._ready: list[Document] = []

    def plan(
        self, documents: list[Document], missing: list[str]
    ) -> tuple[Callable[[], Iterator[None]], Callable[..., None]]:
        """(meanwhile, arrived): what the conversion pool calls while it waits."""
        renderer, absent = self.renderer, set(missing)
        for doc in documents:
            if not doc.is_markdown or doc.render_with_jinja or renderer.liquid is not None:
                continue
            texts = {doc.body, renderer._excerpt_text(doc, doc.body)} & absent  # noqa: SLF001 (as convert makes it)
            self._needs[doc.source.relative] = len(texts)
            if not texts:
                self._ready.append(doc)
            for text in texts:
                self._waiting.setdefault(text, []).append(doc)
        return self._meanwhile, self.arrived

    def _meanwhile(self) -> Iterator[None]:
        """Steps of a few milliseconds at most: the pool sends more work between two."""
        yield from warm_layouts(self.renderer.layout_env, self.renderer.site.layouts)
        ready, self._ready = self._ready, []
        for doc in ready:
            self._fill(doc)
            yield

    def arrived(self, texts: list[str]) -> None:
        """Texts whose conversions just came back (and are in the cache)."""
        for text in texts:
            for doc in self._waiting.pop(text, ()):
                relative = doc.source.relative
                self._needs[relative] -= 1
                if self._needs[relative] == 0:
                    self._fill(doc)

    def _fill(self, doc: Document) -> None:
        renderer = self.renderer
        warned = len(renderer.warnings)
        error = None
        try:
            renderer.fill(doc, renderer.convert(doc))
        except GeneratorError as e:
            error = e
        self._outcomes[doc.source.relative] = (renderer.warnings[warned:], error)
        del renderer.warnings[warned:]
        self.filled += 1

    def take(self, doc: Document, errors: list[GeneratorError]) -> bool:
        """Whether `doc` was filled during the wait; if so its messages are handed over now."""
        outcome = self._outcomes.pop(doc.source.relative, None)
        if outcome is None:
            return False
        self.renderer.warnings.extend(outcome[0])
        if outcome[1] is not None:
            errors.append(outcome[1])
        return True
