"""Jekyll collections: `collections:` (a list of labels or a mapping of label -> settings) and
`collections_dir`, where their folders are (`_<label>/`), and their documents loaded and sorted as
Jekyll does (by date then path, or by the front matter key `sort_by` names). `posts` is Jekyll's
built-in collection and stays the Post model; the others become `Collection`s of
`CollectionDocument`s."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from generator.config import Config
from generator.errors import GeneratorError
from generator.frontmatter import has_front_matter
from generator.load.permalinks import expand, output_path_for
from generator.model import Collection, Document, Source, SourceKind, StaticFile

# Jekyll keeps these characters of a label (Collection#sanitize_label); the rest are dropped.
LABEL_UNSAFE = re.compile(r"[^a-z0-9_\-.]", re.I)


def collection_settings(config: Config) -> dict[str, Mapping[str, Any]]:
    """label -> the user's settings, in config order, without `posts` (its own model)."""
    given = config.get("collections") or {}
    if isinstance(given, list):
        given = {str(label): {} for label in given}
    settings: dict[str, Mapping[str, Any]] = {}
    for label, values in given.items():
        clean = LABEL_UNSAFE.sub("", str(label)).strip(".")
        if clean and clean != "posts":
            settings[clean] = values if isinstance(values, Mapping) else {}
    return settings


def container(config: Config) -> str:
    """`collections_dir` as a clean relative folder ("" for the site root)."""
    return "/".join(part for part in str(config.get("collections_dir") or "").split("/") if part not in ("", "."))


def special_folders(config: Config) -> dict[str, SourceKind]:
    """Folder (relative to the site) -> kind: `_posts`/`_drafts` (inside `collections_dir` when one
    is set, as in Jekyll) and every collection's `_<label>`."""
    prefix = container(config)
    join = (lambda name: f"{prefix}/{name}") if prefix else (lambda name: name)
    folders: dict[str, SourceKind] = {join("_posts"): "post", join("_drafts"): "draft"}
    folders.update({join("_" + label): "document" for label in collection_settings(config)})
    return folders


def default_permalink(style: str) -> str:
    """Jekyll's `/:collection/:path` plus the suffix the site's permalink style implies."""
    if style == "pretty":
        return "/:collection/:path/"
    if style in ("date", "ordinal", "none", "weekdate") or style.endswith(":output_ext"):
        return "/:collection/:path:output_ext"
    return "/:collection/:path/" if style.endswith("/") else "/:collection/:path"


def collections(config: Config) -> dict[str, Collection]:
    """Every configured collection without its documents."""
    prefix = container(config)
    found = {}
    for label, values in collection_settings(config).items():
        permalink = values.get("permalink")
        found[label] = Collection(
            label=label,
            output=bool(values.get("output", False)),
            permalink=str(permalink) if isinstance(permalink, str) else default_permalink(config.permalink),
            relative_directory=f"{prefix}/_{label}" if prefix else f"_{label}",
            metadata=dict(values),
        )
    return found


def collection_of(relative: str, known: Mapping[str, Collection]) -> Collection | None:
    return next((c for c in known.values() if relative.startswith(c.relative_directory + "/")), None)


Loader = Callable[[Source, Collection], Document | None]


def load_collections(
    config: Config, sources: list[Source], load: Loader
) -> tuple[dict[str, Collection], list[GeneratorError]]:
    """Load each collection's documents (`load` parses one) and sort them as Jekyll does."""
    known = collections(config)
    docs: dict[str, list[Document]] = {label: [] for label in known}
    files: dict[str, list[StaticFile]] = {label: [] for label in known}
    errors: list[GeneratorError] = []
    for source in sources:
        collection = collection_of(source.relative, known)
        if collection is None:
            continue
        try:
            with source.path.open("rb") as handle:
                if not has_front_matter(handle.read(8) + b"\n"):
                    files[collection.label].append(_static(source, collection))
                    continue
            doc = load(source, collection)
        except GeneratorError as e:
            errors.append(e)
            continue
        except OSError as e:
            errors.append(GeneratorError(f"cannot read file: {e.strerror}", source.relative, None))
            continue
        if doc is not None:
            docs[collection.label].append(doc)
    result = {}
    for label, collection in known.items():
        ordered = _sorted(docs[label], collection.metadata.get("sort_by"))
        result[label] = Collection(**{**collection.__dict__, "docs": tuple(ordered), "files": tuple(files[label])})
    return result, errors


def _static(source: Source, collection: Collection) -> StaticFile:
    """Jekyll's StaticFile#url in a collection: its template with `:path` (no extension) and
    `:output_ext` empty, any trailing slash dropped, then the file's own extension."""
    inside = source.relative[len(collection.relative_directory) :]
    name = inside.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    path = inside[: len(inside) - len(extension) - 1] if dot and stem else inside
    values = {"collection": collection.label, "path": path.rstrip("."), "output_ext": "", "name": stem or name}
    url = expand(collection.permalink, {**values, "title": ""}).rstrip("/") + (dot + extension if stem else "")
    return StaticFile(source, output_path_for(url), url)


def _sorted(docs: list[Document], sort_by: Any) -> list[Document]:
    """Document#<=> (date, then path); with `sort_by: key`, by that front matter value first and
    documents without it last, in their own order (Jekyll's sort_docs_by_key!)."""
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    ordered = sorted(docs, key=lambda d: (d.date or epoch, d.source.relative))
    if not isinstance(sort_by, str):
        return ordered
    having = [d for d in ordered if d.meta.get(sort_by) is not None]
    lacking = [d for d in ordered if d.meta.get(sort_by) is None]
    try:
        having.sort(key=lambda d: d.meta[sort_by])
    except TypeError:  # values of different types: Jekyll falls back to the document order too
        having.sort(key=lambda d: str(d.meta[sort_by]))
    return having + lacking
