"""The Jinja2 environments: layouts and includes (trusted theme code) and a sandboxed one for Jinja
written inside posts, plus the Jekyll-style `layout:` chain and error mapping to `path:line`."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any
from collections.abc import Callable, Mapping

import jinja2
from jinja2.utils import missing

from generator.errors import GeneratorError, TemplateError
from generator.frontmatter import decode_text, parse_document
from generator.load.theme import THEME_ROOT
from generator.model import Layout
from generator.render.sandbox import (
    IncludeNotFound,
    IncludesLoader,
    JinjaLimits,
    PostSandbox,
    guarded_filter,
    render_limited,
)
from generator.render.template_data import freeze, freeze_callable, html


class SiteUndefined(jinja2.ChainableUndefined):
    """Missing attributes are empty, as in Jekyll (`page.subtitle`), but printing or looping over
    an unknown top-level name is an error: it is almost always a typo in a template."""

    def _top_level(self) -> bool:
        return self._undefined_obj is missing

    def __str__(self) -> str:
        if self._top_level():
            self._fail_with_undefined_error()
        return ""

    def __iter__(self):  # type: ignore[override]
        if self._top_level():
            self._fail_with_undefined_error()
        return iter(())


class SiteLoader(jinja2.BaseLoader):
    """`{% include "x.html" %}` finds `_includes/x.html`; `{% extends "default.html" %}` finds
    `_layouts/default.html`: the site's own file first, then the packaged theme's (so a site
    overrides a theme file by having one of the same name). Front matter is replaced by a Jinja
    comment of the same height so error line numbers are the file's real lines. A theme file keeps
    its site-relative name, so adding an override later changes what render reuse fingerprints."""

    def __init__(self, root: Path, theme: Path | None = THEME_ROOT) -> None:
        self.root = root
        self.theme = theme

    def candidates(self, name: str) -> list[tuple[Path, Path]]:
        clean = name.lstrip("/")
        roots = [self.root] + ([self.theme] if self.theme is not None else [])
        return [(root, root / folder / clean) for root in roots for folder in ("_includes", "_layouts", "")]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        for root, path in self.candidates(template):
            if path.is_file() and path.resolve().is_relative_to(root.resolve()):
                text = template_text(path, path.relative_to(root).as_posix())
                mtime = path.stat().st_mtime
                earlier = [p for r, p in self.candidates(template) if p != path and r == self.root and root != r]

                def uptodate(p: Path = path, m: float = mtime, overrides: list[Path] = earlier) -> bool:
                    # a theme file goes stale when the site gains an override of it
                    return p.stat().st_mtime == m and not any(o.is_file() for o in overrides)

                return text, path.relative_to(root).as_posix(), uptodate
        raise jinja2.TemplateNotFound(template)


def template_text(path: Path, relative: str) -> str:
    text = decode_text(path.read_bytes(), relative)
    document = parse_document(text, relative)
    if not document.has_front_matter:
        return text
    height = document.body_line - 1
    # `-#}` swallows the newline that ends the front matter, so output starts with the body.
    return "{#" + "\n" * (height - 1) + "-#}\n" + document.body


def make_environments(
    root: Path,
    filters: Mapping[str, Callable[..., Any]],
    globals_: Mapping[str, Any],
    layout_class: type[jinja2.Environment] = jinja2.Environment,
    bytecode_cache: jinja2.BytecodeCache | None = None,
    limits: JinjaLimits | None = None,
    safe: bool = False,
) -> tuple[jinja2.Environment, PostSandbox]:
    """Layouts autoescape: every value is text unless marked as HTML (`content`, excerpts, embeds),
    so a `<script>` in a title or a `"` in a permalink cannot become markup. Post Jinja does not
    (a post is the author's own HTML/markdown, and Jekyll users print HTML from it), but runs in
    the limited sandbox with frozen globals and includes only from `_includes/`. In safe mode
    (`--safe`, a stranger's tree) layouts and includes get that same sandbox and limits too."""
    # auto_reload off: Jinja would otherwise stat every layout and include (and look for a site
    # override of each theme file) on every include/extends — a quarter of layout rendering. Both
    # environments live for one build (a DocumentRenderer), during which templates cannot change;
    # the next build (`blog serve`'s rebuild too) makes new ones, which load each file afresh.
    common: dict[str, Any] = dict(
        undefined=SiteUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.loopcontrols"],
        auto_reload=False,
        # A plain dict, not Jinja's LRUCache (a lock and a reordering per lookup): every include of
        # every page asks for its template (~10 per post page), and a build loads a few dozen files.
        cache_size=-1,
    )
    if safe:
        # Still recording which templates a render read (layout_class), but sandboxed and limited.
        sandboxed = type("SafeLayouts", (layout_class, PostSandbox), {})
        layouts: jinja2.Environment = sandboxed(
            limits or JinjaLimits(), loader=SiteLoader(root), autoescape=True, **common
        )
        layouts.filters.update(filters)
        layouts.filters.update({name: guarded_filter(layouts, f) for name, f in layouts.filters.items()})
        layouts.globals.update({name: freeze_callable(g) if callable(g) else freeze(g) for name, g in globals_.items()})
    else:
        layouts = layout_class(loader=SiteLoader(root), autoescape=True, bytecode_cache=bytecode_cache, **common)
        layouts.filters.update(filters)
        layouts.globals.update(globals_)
    # No shared bytecode cache: code compiled for the trusted environment must never run here.
    content = PostSandbox(
        limits or JinjaLimits(), loader=IncludesLoader(root, template_text), autoescape=False, **common
    )
    content.filters.update(filters)
    content.filters.update({name: guarded_filter(content, f) for name, f in content.filters.items()})
    content.globals.update({name: freeze_callable(g) if callable(g) else freeze(g) for name, g in globals_.items()})
    return layouts, content


def compile_template(
    env: jinja2.Environment, source: str, name: str, memo: dict[str, tuple[str, Any]] | None = None
) -> jinja2.Template:
    cached = memo.get(name) if memo is not None else None
    if cached is not None and cached[0] == source:
        code = cached[1]
    else:  # one entry per file: an edited post replaces its old code instead of piling up
        code = env.compile(source, name=name, filename=name)
        if memo is not None:
            memo[name] = (source, code)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def render_string(
    env: jinja2.Environment,
    source: str,
    name: str,
    first_line: int,
    context: Mapping[str, Any],
    memo: dict[str, tuple[str, Any]] | None = None,
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> str:
    """Render text that starts at `first_line` of file `name` (a post body), with errors at real lines.
    `memo` keeps compiled code between rebuilds (blog serve); `functions` are the generator's own
    callables for this page (the page's `demo`), handed over as plain functions."""
    padding = "\n" * (first_line - 1)
    try:
        template = compile_template(env, padding + source, name, memo)
        if isinstance(env, PostSandbox):
            frozen = {key: freeze(value) for key, value in context.items()}
            frozen.update({key: freeze_callable(function) for key, function in (functions or {}).items()})
            output = render_limited(env, template, frozen)
        else:
            output = template.render({**context, **(functions or {})})
    except Exception as e:
        raise template_error(e, name) from e
    return output[len(padding) :] if output.startswith(padding) else output


def render_layout_chain(
    env: jinja2.Environment,
    layouts: Mapping[str, Layout],
    first: str | None,
    content: str,
    context: dict[str, Any],
    origin: str,
) -> str:
    """Wrap `content` in its layout, that layout in its own, … (Jekyll's chain), guarding loops."""
    seen: list[str] = []
    name = first
    while name:
        layout = layouts.get(name)
        if layout is None:
            where = seen[-1] if seen else origin
            path = layouts[where].source.relative if where in layouts else origin
            known = ", ".join(sorted(layouts)) or "none"
            raise TemplateError(f"unknown layout {name!r}; known layouts: {known}", path, 1)
        if name in seen:
            raise TemplateError(f"layout loop: {' -> '.join(seen + [name])}", layout.source.relative, 1)
        seen.append(name)
        try:
            template = env.get_template(layout.source.relative)
            values = {**context, "content": html(content), "layout": freeze(layout.meta)}
            content = ""  # (its Markup copy is in values: a long page is not held twice)
            if isinstance(env, PostSandbox):  # safe mode: a stranger's layout, limited like post Jinja
                content = render_limited(env, template, {key: freeze(value) for key, value in values.items()})
            else:
                content = template.render(values)
        except GeneratorError as e:
            if e.path:
                raise
            raise template_error(e, layout.source.relative) from e  # a sandbox limit: locate it
        except Exception as e:
            raise template_error(e, layout.source.relative) from e
        name = layout.parent
    return content


def template_error(error: Exception, fallback_path: str) -> GeneratorError:
    """Map any exception raised while rendering to the template file and line that caused it."""
    if isinstance(error, TemplateError) and error.path is not None:
        return error
    if isinstance(error, jinja2.TemplateSyntaxError):
        return TemplateError(
            f"template syntax error: {error.message}", error.filename or error.name or fallback_path, error.lineno
        )
    path, line = _innermost_template_frame(error, fallback_path)
    if isinstance(error, GeneratorError):
        return type(error)(error.message, path, line)
    if isinstance(error, IncludeNotFound):
        return TemplateError(
            f"include not found: {error.name!r}; Jinja in posts and pages includes only files of _includes/",
            path,
            line,
        )
    if isinstance(error, jinja2.TemplateNotFound):
        return TemplateError(
            f"include or layout not found: {error.name!r}; put it in _includes/ or _layouts/", path, line
        )
    if isinstance(error, jinja2.UndefinedError):
        return TemplateError(f"{error.message}; check the spelling or define it", path, line)
    if isinstance(error, jinja2.exceptions.SecurityError):
        return TemplateError(f"not allowed in a post's Jinja: {error}", path, line)
    return TemplateError(f"{type(error).__name__}: {error}", path, line)


def _innermost_template_frame(error: Exception, fallback_path: str) -> tuple[str, int | None]:
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        name = frame.filename
        if not name.endswith(".py") and not name.startswith("<"):
            return name, frame.lineno
    return fallback_path, None
