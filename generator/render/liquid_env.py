"""The Liquid environment for Jekyll sites (python-liquid): Jekyll's filters and tags, includes only
from `_includes/` inside the site, the same resource limits as post Jinja (sandbox.JinjaLimits,
mapped onto python-liquid's own limit options), and errors mapped to one `path:line` line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import liquid
from liquid.exceptions import LiquidError, TemplateNotFoundError
from liquid.loader import BaseLoader, TemplateSource

from generator.errors import TemplateError
from generator.render import jekyll_filters, jekyll_tags
from generator.render.jekyll_tags import body_text
from generator.render.sandbox import JinjaLimits


class IncludesFolder(BaseLoader):
    """`{% include x.html %}` reads `_includes/x.html`, never a file outside it (`../_config.yml`);
    then the gem theme's `_includes/` (Jekyll's order: the site's file of that name wins)."""

    def __init__(self, root: Path, theme: Path | None = None) -> None:
        self.root = root.resolve()
        self.folders = [(self.root, self.root / "_includes")]
        if theme is not None:
            self.folders.append((theme.resolve(), theme.resolve() / "_includes"))

    def get_source(self, env: liquid.Environment, template_name: str, **kwargs: object) -> TemplateSource:
        for base, folder in self.folders:
            path = (folder / template_name.lstrip("/")).resolve()
            if not path.is_relative_to(folder) or not path.is_file():
                continue
            # The theme's files are named by their full path, so an error in one is found there.
            relative = path.relative_to(self.root).as_posix() if base == self.root else str(path)
            return TemplateSource(body_text(path, relative), relative, _unchanged(path))
        raise TemplateNotFoundError(f"{template_name!r} is not a file of _includes/", token=None)


def _unchanged(path: Path) -> Callable[[], bool]:
    mtime = path.stat().st_mtime
    return lambda: path.stat().st_mtime == mtime


def make_liquid(
    root: Path,
    baseurl: str,
    url: str,
    markdownify: Callable[[str], str],
    links: Mapping[str, str],
    site_values: Callable[[], Mapping[str, Any]],
    limits: JinjaLimits,
    theme: Path | None = None,
) -> liquid.Environment:
    """One environment per build. `links` maps source paths and post names to URLs (`link`,
    `post_url`); `site_values` gives `seo`/`feed_meta` the site without a render context; `theme` is the gem
    theme's folder (its `_includes/` after the site's)."""

    class Limited(liquid.Environment):
        # python-liquid's own limits: the same numbers a site set for post Jinja.
        loop_iteration_limit = limits.loop_iterations
        output_stream_limit = limits.output_bytes
        context_depth_limit = limits.recursion_depth
        local_namespace_limit = limits.output_bytes

    env = Limited(loader=IncludesFolder(root, theme), strict_filters=True)
    jekyll_filters.register(env, baseurl, url, markdownify)
    jekyll_tags.register(env, root, links, site_values)
    return env


def render(env: liquid.Environment, source: str, name: str, first_line: int, context: Mapping[str, Any]) -> str:
    """Render Liquid text that starts at `first_line` of file `name`, errors at that file's lines."""
    padding = "\n" * (first_line - 1)
    try:
        template = env.from_string(padding + source, name=name)
        output = template.render(**context)
    except TemplateError:
        raise
    except LiquidError as e:
        raise liquid_error(e, name) from e
    except (ValueError, TypeError, KeyError) as e:
        raise TemplateError(f"{type(e).__name__}: {e}", name, None) from e
    return output[len(padding) :] if output.startswith(padding) else output


def liquid_error(error: LiquidError, fallback: str) -> TemplateError:
    token = getattr(error, "token", None)
    line = None
    if token is not None and getattr(token, "start_index", -1) >= 0:
        line = token.source[: token.start_index].count("\n") + 1
    path = str(error.template_name) if getattr(error, "template_name", None) else fallback
    message = error.args[0] if error.args else type(error).__name__
    kind = "Liquid syntax error" if isinstance(error, liquid.exceptions.LiquidSyntaxError) else "Liquid error"
    return TemplateError(f"{kind}: {message}", path, line)
