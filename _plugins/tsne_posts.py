"""This blog's plugin for its t-SNE explorer: the "posts" dataset, TF-IDF vectors of the blog's own
paragraphs, computed at build time so the demo always reflects the current posts.

Published as `demos/tsne/posts.json` inside the demo's hashed bundle (see generator/plugins.py for
the events). Only runs when the site has the t-SNE demo."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "that",
        "this",
        "with",
        "are",
        "was",
        "were",
        "you",
        "your",
        "have",
        "has",
        "had",
        "not",
        "but",
        "they",
        "them",
        "their",
        "there",
        "then",
        "than",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "how",
        "can",
        "could",
        "would",
        "should",
        "will",
        "just",
        "into",
        "onto",
        "from",
        "about",
        "over",
        "under",
        "also",
        "very",
        "more",
        "most",
        "some",
        "such",
        "only",
        "other",
        "its",
        "it's",
        "our",
        "out",
        "all",
        "any",
        "each",
        "been",
        "being",
        "these",
        "those",
        "here",
        "his",
        "her",
        "him",
        "she",
        "he",
        "we",
        "us",
        "i",
        "me",
        "my",
        "mine",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "as",
        "or",
        "if",
        "is",
        "be",
        "do",
        "does",
        "did",
        "so",
        "no",
        "yes",
        "too",
        "up",
        "down",
        "off",
        "again",
        "further",
        "once",
        "both",
        "few",
        "own",
        "same",
        "s",
        "t",
        "don",
        "now",
        "one",
        "two",
        "get",
        "got",
        "like",
        "lets",
        "let",
        "i'm",
        "it’s",
        "i’m",
        "don’t",
        "can’t",
        "that’s",
        "there’s",
        "isn’t",
        "doesn’t",
        "didn’t",
        "you’re",
        "we’re",
        "they’re",
        "i’ve",
        "i’d",
    ]
)
WORD = re.compile(r"[a-z][a-z'’-]{2,}")
MAX_PARAGRAPHS = 600
DIMENSIONS = 128
MIN_WORDS = 15


def prose_paragraphs(body: str) -> list[str]:
    """Paragraphs of running text: no code, math, headings, HTML or template lines."""
    body = re.sub(r"^ {0,3}(```|~~~).*?^ {0,3}\1\s*$", "", body, flags=re.S | re.M)
    body = re.sub(r"\$\$.*?\$\$", " ", body, flags=re.S)
    return [text for block in re.split(r"\n\s*\n", body) if (text := _prose(block)) is not None]


# Both are pure functions of one block or paragraph, remembered so that an edit of a long post
# (`serve`) redoes the blocks it changed only; bounded, so a long session stays small.
@functools.lru_cache(maxsize=8192)
def _prose(block: str) -> str | None:
    text = block.strip()
    if not text or text.startswith(("#", "<", "{{", "{%", "|", "$$")):
        return None
    text = re.sub(r"\$[^$\n]+\$|`[^`]*`|\*\*|[*_>]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text.split()) >= MIN_WORDS else None


@functools.lru_cache(maxsize=8192)
def _terms(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]


def _post_paragraphs(post: Any, memo: dict[str, Any] | None) -> tuple[list[tuple[str, list[str]]], str]:
    """A post's prose paragraphs with their tokens, and a digest of the paragraphs' text; remembered
    per post (one entry each, replaced when its body changes, so a long `serve` session never grows)
    and redone only for an edit."""
    known = memo.get(post.source.relative) if memo is not None else None
    if known is not None and known[0] == post.body:
        return known[1], known[2]
    result = [(text, _terms(text)) for text in prose_paragraphs(post.body)]  # (the lists are not changed)
    digest = hashlib.sha256("\0".join(text for text, _ in result).encode("utf-8")).hexdigest()
    if memo is not None:
        memo[post.source.relative] = (post.body, result, digest)
    return result, digest


def posts_dataset(posts: Sequence[Any], baseurl: str = "", memo: dict[str, Any] | None = None) -> dict[str, Any]:
    entries: list[tuple[int, str, list[str]]] = []
    for index, post in enumerate(posts):
        entries.extend((index, text, words) for text, words in _post_paragraphs(post, memo)[0])
    if len(entries) > MAX_PARAGRAPHS:  # keep every post represented: take an even stride through all
        stride = len(entries) / MAX_PARAGRAPHS
        entries = [entries[int(i * stride)] for i in range(MAX_PARAGRAPHS)]
    items = [(index, text) for index, text, _ in entries]
    tokens = [words for _, _, words in entries]
    document_frequency = Counter(term for words in tokens for term in set(words))
    count = max(1, len(items))
    candidates = [t for t, df in document_frequency.items() if 2 <= df <= count * 0.5]
    vocabulary = sorted(candidates, key=lambda t: (-document_frequency[t], t))[:DIMENSIONS]
    column = {term: i for i, term in enumerate(vocabulary)}
    vectors = []
    for words in tokens:
        counts = Counter(w for w in words if w in column)
        weights = {
            column[t]: (n / max(1, len(words))) * (math.log(count / document_frequency[t]) + 1)
            for t, n in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        row: list[float] = [0] * len(vocabulary)  # TF-IDF rows are sparse: round only the non-zeros
        for position, value in weights.items():
            row[position] = round(value / norm, 3)
        vectors.append(row)
    return {
        "name": "posts",
        "labels": [post.title for post in posts],
        "X": vectors,
        "y": [index for index, _ in items],
        "text": [" ".join(text.split()[:12]) + "…" for _, text in items],
        "url": [baseurl + posts[index].url + "#:~:text=" + quote(" ".join(text.split()[:4])) for index, text in items],
        "vocabulary": vocabulary,
    }


def dataset_json(posts: Sequence[Any], baseurl: str, memo: dict[str, Any], rows: dict[str, Any]) -> bytes:
    """json.dumps(posts_dataset(...), separators=(",", ":")), the same bytes, made from parts kept
    per paragraph in `rows` (by text): a paragraph whose terms have the same document frequencies
    as last time keeps its row's text, so an edit of one post costs ~5 ms instead of ~50 (`serve`)."""
    entries: list[tuple[int, str, list[str]]] = []
    for index, post in enumerate(posts):
        entries.extend((index, text, words) for text, words in _post_paragraphs(post, memo)[0])
    if len(entries) > MAX_PARAGRAPHS:  # (as posts_dataset)
        stride = len(entries) / MAX_PARAGRAPHS
        entries = [entries[int(i * stride)] for i in range(MAX_PARAGRAPHS)]
    kept: dict[str, Any] = {}
    for _, text, words in entries:
        if text not in kept:
            kept[text] = (
                rows.get(text)
                or [
                    tuple(Counter(words).items()),  # terms in order of first use, with counts
                    " ".join(text.split()[:12]) + "…",
                    "#:~:text=" + quote(" ".join(text.split()[:4])),
                    None,  # (the key of the row below: its vocabulary terms' document frequencies)
                    None,  # its non-zero values: (term, JSON text)
                ]
            )
    texts = [text for _, text, _ in entries]
    document_frequency = _frequencies(texts, kept, rows)
    rows.clear()
    rows.update(kept)
    count = max(1, len(entries))
    candidates = sorted(t for t, df in document_frequency.items() if 2 <= df <= count * 0.5)
    # (A stable sort by frequency, most first, of the alphabetical list: posts_dataset's order.)
    vocabulary = sorted(candidates, key=document_frequency.__getitem__, reverse=True)[:DIMENSIONS]
    column = {term: i for i, term in enumerate(vocabulary)}
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    vectors = []
    for _, text, words in entries:
        row = kept[text]
        key = (count, len(words), [(t, n, document_frequency[t]) for t, n in row[0] if t in column])
        if row[3] != key:
            weights = {t: (n / max(1, len(words))) * (math.log(count / df) + 1) for t, n, df in key[2]}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            row[3], row[4] = key, [(t, float.__repr__(round(v / norm, 3))) for t, v in weights.items()]
        dense = ["0"] * len(vocabulary)
        for term, value in row[4]:
            dense[column[term]] = value
        vectors.append("[" + ",".join(dense) + "]")
    parts = [
        '{"name":"posts","labels":' + dumps([post.title for post in posts]),
        '"X":[' + ",".join(vectors) + "]",
        '"y":' + dumps([index for index, _, _ in entries]),
        '"text":' + dumps([kept[text][1] for _, text, _ in entries]),
        '"url":' + dumps([baseurl + posts[index].url + kept[text][2] for index, text, _ in entries]),
        '"vocabulary":' + dumps(vocabulary) + "}",
    ]
    return ",".join(parts).encode()


def _frequencies(texts: list[str], kept: dict[str, Any], rows: dict[str, Any]) -> Counter[str]:
    """In how many of the texts each term appears: last call's counts, corrected for the texts that
    differ at the same position (an edit), or counted again when the number of texts changed."""
    last = rows.get("\0frequencies")
    if last is None or len(last[0]) != len(texts):
        frequency = Counter(term for text in texts for term, _ in kept[text][0])
    else:
        frequency = last[1]
        for old, new in zip(last[0], texts, strict=True):
            if old != new:
                for term, _ in rows[old][0]:
                    frequency[term] -= 1
                    if not frequency[term]:
                        del frequency[term]
                frequency.update(term for term, _ in kept[new][0])
    kept["\0frequencies"] = (texts, frequency)
    return frequency


def site_loaded(site: Any) -> None:
    if not (site.source / "demos" / "tsne" / "demo.yml").exists():
        return
    baseurl = site.config.get("baseurl", "")
    paragraphs = site.memo.setdefault("paragraphs", {})
    for gone in set(paragraphs) - {p.source.relative for p in site.posts}:
        del paragraphs[gone]
    before = dict(paragraphs)
    # The dataset depends on each post's URL, title and prose paragraphs only: an edit of a post's
    # code, math, headings or a short line leaves the same bytes (and the demo's bundle its name).
    key = (baseurl, [(p.url, p.title, _post_paragraphs(p, paragraphs)[1]) for p in site.posts])
    site.memo["terms_computed"] = sum(entry is not before.get(k) for k, entry in paragraphs.items())  # (tests)
    known = site.memo.get("dataset")
    if known is None or known[0] != key:
        dataset = dataset_json(site.posts, baseurl, paragraphs, site.memo.setdefault("rows", {}))
        if known is not None and known[1] == dataset:
            dataset = known[1]  # the same bytes object: the build's writer knows it is on disk
        site.memo["dataset"] = known = (key, dataset)  # only the latest: a long serve session stays small
    site.add_file("demos/tsne/posts.json", known[1])
