"""Python-Markdown's toc pass without its `[TOC]` marker search when the text cannot hold one
(issue #19).

After collecting the headings, the stock pass walks every element of the document and joins its
text (`itertext`) looking for a paragraph that reads exactly `[TOC]`: once per post, for a marker
almost no post has. Every text in the tree comes from the converted text (placeholders, footnote
arrows and permalinks hold no "TOC"), and kramdown's `{:toc}` becomes `[TOC]` from a text that
says "toc": so a text holding neither "TOC" nor "toc" has no marker, and the walk is skipped. The
headings, ids and table of contents are made exactly as before."""

from __future__ import annotations

from typing import Any

from markdown.extensions.toc import TocExtension, TocTreeprocessor


class Walks:
    """Marker walks run: counted by the tests."""

    count = 0


class MarkerAwareToc(TocTreeprocessor):
    marker_possible = True  # set for each text by `expect_marker`

    def replace_marker(self, root: Any, elem: Any) -> None:
        if self.marker_possible:
            Walks.count += 1
            super().replace_marker(root, elem)


class MarkerAwareTocExtension(TocExtension):
    TreeProcessorClass = MarkerAwareToc


def expect_marker(md: Any, text: str) -> None:
    """Before converting `text` with `md`: whether its toc pass must look for the marker."""
    try:
        toc = md.treeprocessors["toc"]  # (a Registry: no .get)
    except KeyError:
        return
    if isinstance(toc, MarkerAwareToc):
        toc.marker_possible = "TOC" in text or "toc" in text
