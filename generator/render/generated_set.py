"""The generated pages but the sitemap and robots.txt (home, archive, tags, demos, 404, the
highlight stylesheet, feed), and EarlyPages: the same rendered by the parent of a cold `blog build`
while its forked children render the documents (render/parallel_pages.py), instead of after."""

from __future__ import annotations

from collections.abc import Callable

from generator.errors import GeneratorError
from generator.load.demos import DemoEmbedder
from generator.render import generated as gen
from generator.render.documents import DocumentRenderer
from generator.write.output import Output


def generated_pages(
    renderer: DocumentRenderer, embed: DemoEmbedder, taken: set[str], keep: Callable[[list[Output]], list[Output]]
) -> list[Output]:
    """The generated pages but the sitemap and robots.txt (which list what the others made)."""
    with renderer.reuse.shared_prints():  # (the archive and the tag pages read the same keys of posts)
        return _generated_pages(renderer, embed, taken, keep)


def _generated_pages(
    renderer: DocumentRenderer, embed: DemoEmbedder, taken: set[str], keep: Callable[[list[Output]], list[Output]]
) -> list[Output]:
    config = renderer.site.config
    result: list[Output] = []
    if config.generates("home"):
        result.extend(keep(gen.paginate(renderer, taken)))
    if config.generates("archive"):
        result.extend(keep([gen.archive(renderer)]))
    if config.generates("tags"):
        result.extend(keep(gen.tags(renderer)))
    if config.generates("demos") and renderer.site.demos:
        result.extend(keep(gen.demo_pages(renderer, embed)))
    if config.generates("not_found"):
        result.extend(keep([gen.not_found(renderer)]))
    if config.generates("highlight"):
        result.extend(keep([gen.highlight_stylesheet(renderer)]))
    if config.generates("feed"):
        result.extend(keep([gen.feed(renderer)]))
    return [o for o in result if o.output_path not in taken]  # (a dropped spooled file is never committed)


class EarlyPages:
    """generated_pages() run by render_documents while its forked children render documents (the
    parent would wait otherwise). What a build that renders them afterwards would show is kept
    until then: their warnings after every document's, and an error only if no document failed."""

    def __init__(self, renderer: DocumentRenderer, embed: DemoEmbedder, keep: Callable[[list[Output]], list[Output]]):
        self.renderer, self.embed, self.keep = renderer, embed, keep
        self.pages: list[Output] | None = None
        self.error: GeneratorError | None = None
        self.warnings: list[GeneratorError] = []

    def render(self, document_paths: set[str]) -> None:
        warnings = self.renderer.warnings
        before = len(warnings)
        taken = document_paths | {s.output_path for s in self.renderer.site.static_files}
        try:
            self.pages = generated_pages(self.renderer, self.embed, taken, self.keep)
        except GeneratorError as e:
            self.pages, self.error = [], e
        self.warnings = warnings[before:]
        del warnings[before:]

    def result(self) -> list[Output] | None:
        """The pages (None: not rendered early); called once no document failed."""
        if self.pages is None:
            return None
        self.renderer.warnings.extend(self.warnings)
        if self.error is not None:
            raise self.error
        return self.pages
