"""Reading time and description of a converted document. Both need the text without tags, which is
the costly part of a no-op build, so they are remembered per document (in .blog-cache/ too) and
recomputed only when its content changes."""

from __future__ import annotations

import math

from generator.incremental.state import BuildState, fingerprint
from generator.render.filters import strip_html, truncatewords

WORDS_PER_MINUTE = 200
# Part of the key of a remembered reading time and description: bump when either is derived differently.
READING_RULES = f"reading-{WORDS_PER_MINUTE}-40-1"


def reading_of(state: BuildState, relative: str, content: str, excerpt: str) -> tuple[int, str]:
    """(minutes, description) of one document. `blog serve` holds the very same strings while a
    document is unchanged: then they are not even hashed."""
    seen, known = state.reading_texts.get(relative), state.reading.get(relative)
    state.reading_texts[relative] = (content, excerpt)
    if known is not None and seen is not None and seen[0] is content and seen[1] is excerpt:
        return known[1]
    key = fingerprint(READING_RULES, content, excerpt)
    if known is None or known[0] != key:
        words = len(strip_html(content).split())
        description = truncatewords(strip_html(excerpt), 40)
        known = state.reading[relative] = (key, (max(1, math.ceil(words / WORDS_PER_MINUTE)), description))
    return known[1]
