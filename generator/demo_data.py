"""Files demos need that the build computes from the site itself: the t-SNE explorer's "posts"
dataset (TF-IDF vectors of this blog's paragraphs, so the demo always reflects the current posts)
and, when configured, the ILSVRC demo's own image sets."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from generator.config import Config
from generator.errors import GeneratorError
from generator.incremental import fingerprint
from generator.model import Post

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


def generated_demo_files(
    config: Config,
    posts: list[Post],
    memo: dict[str, Any] | None = None,
) -> tuple[dict[str, dict[str, bytes]], list[GeneratorError]]:
    """`memo` (kept across rebuilds by `blog serve`) spares recomputing TF-IDF when no post changed."""
    files: dict[str, dict[str, bytes]] = {}
    errors: list[GeneratorError] = []
    if (config.source / "demos" / "tsne" / "demo.yml").exists():
        key = fingerprint(config.baseurl, [(post.url, post.title, post.body) for post in posts])
        previous = memo.get("tsne-posts") if memo is not None else None
        if previous is not None and previous[0] == key:
            dataset = previous[1]
        else:
            dataset = json.dumps(posts_dataset(posts, config.baseurl, memo), separators=(",", ":")).encode()
            if memo is not None:
                memo["tsne-posts"] = (key, dataset)  # only the latest: a long serve session stays small
        files["tsne"] = {"posts.json": dataset}
    ilsvrc_config = config.get("ilsvrc")
    classes = config.source / "demos" / "ilsvrc" / "data" / "classes.json"
    if ilsvrc_config is not None and classes.exists():
        from generator.labelsets import labelset_assets, load_class_ids

        assets, labelset_errors = labelset_assets(config.source, ilsvrc_config, load_class_ids(classes))
        files["ilsvrc"] = assets
        errors.extend(labelset_errors)
    return files, errors


def prose_paragraphs(body: str) -> list[str]:
    """Paragraphs of running text: no code, math, headings, HTML or template lines."""
    body = re.sub(r"^ {0,3}(```|~~~).*?^ {0,3}\1\s*$", "", body, flags=re.S | re.M)
    body = re.sub(r"\$\$.*?\$\$", " ", body, flags=re.S)
    paragraphs = []
    for block in re.split(r"\n\s*\n", body):
        text = block.strip()
        if not text or text.startswith(("#", "<", "{{", "{%", "|", "$$")):
            continue
        text = re.sub(r"\$[^$\n]+\$|`[^`]*`|\*\*|[*_>]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or " ", text)
        text = re.sub(r"\s+", " ", text).strip()
        if len(text.split()) >= MIN_WORDS:
            paragraphs.append(text)
    return paragraphs


def _post_paragraphs(post: Post, memo: dict[str, Any] | None) -> list[tuple[str, list[str]]]:
    """A post's prose paragraphs with their tokens; remembered by body so an edit redoes one post."""
    key = "tsne-paragraphs:" + fingerprint(post.body)
    if memo is not None and key in memo:
        return memo[key]
    result = [
        (text, [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]) for text in prose_paragraphs(post.body)
    ]
    if memo is not None:
        memo[key] = result
    return result


def posts_dataset(posts: list[Post], baseurl: str = "", memo: dict[str, Any] | None = None) -> dict[str, Any]:
    entries: list[tuple[int, str, list[str]]] = []
    for index, post in enumerate(posts):
        entries.extend((index, text, words) for text, words in _post_paragraphs(post, memo))
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
