"""One generated page (home, archive, tags, demos, 404) through its layout, with render reuse:
the site's layout of that name when there is one, otherwise a small built-in template wrapped in
`default`. (Moved out of documents.py, which only renders documents.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import markupsafe

from generator.incremental.state import DocumentView, fingerprint
from generator.load.permalinks import output_path_for
from generator.render.documents import DocumentRenderer
from generator.render.lazy_parts import layout_chain_bytes, render_layout_chain  # (import Jinja when called)
from generator.render.template_data import html


def render_generated(
    renderer: DocumentRenderer, layout: str, fallback: str, page: dict[str, Any], extra: Mapping[str, Any]
) -> bytes:
    """The page's bytes: last build's very bytes object when its record still holds (so the spool
    knows them unchanged without hashing)."""
    own = fingerprint(
        layout,
        fallback,
        sorted((k, repr(v)) for k, v in page.items()),
        sorted((k, repr(v)) for k, v in extra.items()),
    )
    return renderer.reuse.cached_render(
        output_path_for(page["url"]), own, lambda: _render(renderer, layout, fallback, page, extra)
    )


def _render(
    renderer: DocumentRenderer, layout: str, fallback: str, page: dict[str, Any], extra: Mapping[str, Any]
) -> str | bytes:
    site, env = renderer.site, renderer.layout_env
    context = {
        "site": renderer.site_view,
        "page": DocumentView(page, f"generated:{page['url']}"),
        "paginator": None,
        **extra,
    }
    if layout in site.layouts:
        # Streamed into bytes (a home page listing every post is never one string); the old
        # way when the chain does more with `content` than print it.
        streamed = layout_chain_bytes(env, site.layouts, layout, page.get("content", ""), context)
        if streamed is not None:
            return streamed
        return render_layout_chain(env, site.layouts, layout, page.get("content", ""), context, f"generated:{layout}")
    inner = html(env.from_string(fallback).render(context))
    page["content"] = inner
    if "default" in site.layouts:
        return render_layout_chain(env, site.layouts, "default", inner, context, f"generated:{layout}")
    title = markupsafe.escape(page.get("title", ""))
    lang = markupsafe.escape(site.config.get("lang"))
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
        f"<body>{inner}</body></html>\n"
    )
