"""Parts of the document renderer (documents.py) that a no-op rebuild skips (issue #19): the Jinja
environments, made on first render, and content tokens, which let a document's reading time and
view fingerprint be computed without hashing its HTML."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from generator.config import Config
from generator.incremental.state import MemoryBytecodeCache

# Part of every content token: bump when the way content is finished from the cached conversion
# changes (prefix_baseurl; the image rewrite's rule of leaving HTML that names no image alone).
CONTENT_TOKEN_RULES = "content-token-1"
TOKEN_KEYS = ("content", "excerpt", "toc")  # the view values a content token stands for


def make_jinja_environments(
    config: Config, bytecode: MemoryBytecodeCache, globals_: Mapping[str, Any], markdownify: Callable[[str], str]
) -> tuple[Any, Any]:
    """(layouts, content) Jinja environments; importing this module's callees imports Jinja."""
    from generator.incremental.jinja_hooks import RecordingEnvironment, StoredBytecode
    from generator.render.filters import make_filters
    from generator.render.sandbox import limits_from_config
    from generator.render.templates import make_environments

    return make_environments(
        config.source,
        make_filters(config.baseurl, config.url, markdownify),
        globals_,
        RecordingEnvironment,
        None if config.get("safe") and bytecode.from_disk else StoredBytecode(bytecode),
        limits_from_config(config.values),
        safe=bool(config.get("safe")),
    )


def render_layout_chain(*args: Any, **kwargs: Any) -> str:
    """templates.render_layout_chain, imported (with Jinja) on the first render (issue #19)."""
    from generator.render.templates import render_layout_chain as render

    return render(*args, **kwargs)


def layout_chain_bytes(*args: Any, **kwargs: Any) -> bytes | None:
    """layout_stream.layout_chain_bytes, imported (with Jinja) on the first generated page."""
    from generator.render.layout_stream import layout_chain_bytes as stream

    return stream(*args, **kwargs)


def render_string(*args: Any, **kwargs: Any) -> str:
    """templates.render_string, imported (with Jinja) on first use."""
    from generator.render.templates import render_string as render

    return render(*args, **kwargs)


def content_token(content_key: str, excerpt_key: str, baseurl: str) -> str:
    """A document's content, excerpt and TOC as what they are made from: the conversions cached
    under these keys, finished with this baseurl (only for HTML that names no image)."""
    # fingerprint(CONTENT_TOKEN_RULES, content_key, excerpt_key, baseurl), the same digest, with
    # one encode and one hash update for the four strings (it runs for every post of every build).
    joined = "\0".join((CONTENT_TOKEN_RULES, content_key, excerpt_key, baseurl)) + "\0"
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def stored_texts(view: Mapping[str, Any]) -> tuple[Any, ...]:
    """The very objects a view stores for TOKEN_KEYS (dict.get: not read back from a TextFile)."""
    return tuple(dict.get(view, name) for name in TOKEN_KEYS)  # type: ignore[arg-type]


def intact_tokens(
    filled: Mapping[str, tuple[str, tuple[Any, ...]]], views: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """The tokens of views whose texts are still what fill() put there (a page_rendering plugin
    may have replaced them: those are hashed)."""
    return {
        relative: token
        for relative, (token, stored) in filled.items()
        if relative in views and all(a is b for a, b in zip(stored_texts(views[relative]), stored, strict=True))
    }
