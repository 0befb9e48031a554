"""Reading time and description of a converted document. Both need the text without tags, which is
the costly part of a no-op build, so they are remembered per document (in .blog-cache/ too) and
recomputed only when its content changes. On a cold build the conversion workers strip the tags
(conversion.py hands their facts over through remember_facts), so the parent does not."""

from __future__ import annotations

import hashlib
import math
import re

from generator.incremental.state import BuildState, fingerprint
from html import unescape

# The tags `strip_html` (filters.py) and the text facts take out. Defined here, not in filters.py,
# which imports Jinja, slugify and email: ~40 ms in each conversion worker of a cold build (forked
# before the parent imports Jinja) and in a rebuild that renders nothing.
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]+>", re.S | re.I)
WORDS_PER_MINUTE = 200
DESCRIPTION_WORDS = 40  # (part of READING_RULES below)
# Part of the key of a remembered reading time and description: bump when either is derived differently.
READING_RULES = f"reading-{WORDS_PER_MINUTE}-40-1"


def reading_of(
    state: BuildState, relative: str, content: str, excerpt: str, token: str | None = None
) -> tuple[int, str]:
    """(minutes, description) of one document. `blog serve` holds the very same strings while a
    document is unchanged: then they are not even hashed; nor are they when the renderer knows
    them by a content token (what they were made from: documents.py _convert)."""
    seen, known = state.reading_texts.get(relative), state.reading.get(relative)
    state.reading_texts[relative] = (content, excerpt)
    if known is not None and seen is not None and seen[0] is content and seen[1] is excerpt:
        return known[1]
    if token is not None:
        key = fingerprint(READING_RULES, "token", token)
    else:
        key = fingerprint(READING_RULES, content, excerpt)
    if known is None or known[0] != key:
        words = _facts_of(content)
        description = words if excerpt == content else _facts_of(excerpt)
        known = state.reading[relative] = (key, (max(1, math.ceil(words[0] / WORDS_PER_MINUTE)), description[1]))
    return known[1]


# (word count, description) of a piece of HTML: the text without tags, counted and cut.
TextFacts = tuple[int, str]
# Facts the conversion workers found (conversion.py), by the digest of the HTML they were found for
# (not the HTML itself: holding every post's HTML here would undo the build's spilling of it).
# Taken out when used: a cold build's parent then strips no tags at all.
_PREPARED: dict[bytes, TextFacts] = {}
STRIPPED = [0]  # tag strippings in this process: what tests count


def text_facts(html: str) -> TextFacts:
    r"""`strip_html(html).split()`, counted and cut, without strip_html's whitespace pass: split()
    collapses the same runs (`\s` in a str pattern is exactly str.isspace), at half the cost."""
    STRIPPED[0] += 1
    words = unescape(TAG.sub(" ", str(html or ""))).split()
    # filters.truncatewords(" ".join(words), 40), without joining and splitting every word again.
    count = len(words)
    return count, " ".join(words[:DESCRIPTION_WORDS]) + ("…" if count > DESCRIPTION_WORDS else "")


def _digest(html: str) -> bytes:
    return hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# What a conversion worker sends (conversion.py): the facts and the digest of the HTML they are of,
# made there, where the cores are, not in the parent as it receives them (~6 µs a text).
SentFacts = tuple[int, str, bytes]


def sent_facts(html: str) -> SentFacts:
    """In a worker: `text_facts(html)` and the HTML's digest, for `remember_facts` in the parent."""
    count, description = text_facts(html)
    return count, description, _digest(html)


def remember_facts(facts: SentFacts) -> None:
    """Facts a worker found (`sent_facts`), filed under the digest it made: the HTML is not read again."""
    count, description, digest = facts
    _PREPARED[digest] = (count, description)


def forget_facts() -> None:
    _PREPARED.clear()


def _facts_of(html: str) -> TextFacts:
    """Looked up by value (the HTML after images and the baseurl were applied): a rewritten HTML
    is a different text and has its facts computed here."""
    facts = _PREPARED.pop(_digest(html), None) if _PREPARED else None
    return facts if facts is not None else text_facts(html)
