"""Demo bundles: `demos/<name>/demo.yml` -> validated `Demo`s, fingerprinted files, and the
`demo()` embed function that posts call from markdown.

Every file of a bundle is renamed `stem.<hash>.ext`, the hash covering the whole bundle (and the
shared helpers it may import), so a browser never mixes files of two versions. String literals in
scripts and styles that name a bundle file by relative path ("./worker.js", "../_shared/plot.js")
are rewritten to the hashed names; that is the whole module-linking contract, no bundler needed."""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Mapping

from markupsafe import Markup

from generator.errors import DemoError, FrontMatterError
from generator.load.demomemo import DemoMemo, file_stat, known_stats, shared_stats
from generator.frontmatter import decode_text, key_line, load_yaml
from generator.model import Demo, DemoOption, Source

MANIFEST = "demo.yml"
SHARED = "_shared"
KNOWN_KEYS = {"title", "description", "entry", "scripts", "styles", "data", "thumbnail", "options"}
OPTION_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}
RELATIVE_LITERAL = re.compile(r"""(["'])(\.{1,2}/[^"'\s]+?)\1""")
REWRITTEN_EXTENSIONS = (".js", ".mjs", ".css")


@dataclass(frozen=True)
class BundleFile:
    bundle_path: str  # demos-relative, e.g. "clock/main.js"
    output_path: str  # destination-relative, e.g. "demos/clock/main.1a2b3c4d.js"
    data: bytes


@dataclass
class DemoSet:
    demos: dict[str, Demo] = field(default_factory=dict)
    files: list[BundleFile] = field(default_factory=list)
    errors: list[DemoError] = field(default_factory=list)


def _hashed_name(path: str, digest: str) -> str:
    folder, name = posixpath.split(path)
    stem, dot, extension = name.rpartition(".")
    hashed = f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"
    return posixpath.join(folder, hashed)


def _read_manifest(source: Source) -> tuple[dict[str, Any], str]:
    text = decode_text(source.path.read_bytes(), source.relative)
    try:
        data = load_yaml(text, source.relative) or {}
    except FrontMatterError as e:  # a YAML mistake, located; any other exception is a bug and stays one
        raise DemoError(e.message, source.relative, e.line) from e
    if not isinstance(data, dict):
        raise DemoError("demo.yml must be a mapping (title:, description:, scripts: …)", source.relative, 1)
    return data, text


def _validate(
    name: str, source: Source, data: dict[str, Any], text: str, folder: Path
) -> tuple[Demo, list[str], list[str]]:
    def fail(key: str, message: str) -> DemoError:
        return DemoError(f"{key}: {message}", source.relative, key_line(text, key) or 1)

    for key in data:
        if key not in KNOWN_KEYS:
            raise fail(key, f"unknown key; known keys: {', '.join(sorted(KNOWN_KEYS))}")
    for key in ("title", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, "required text is missing")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("scripts", "styles", "data"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail(key, "expected a list of file paths, e.g. [main.js]")
        lists[key] = tuple(value)
    if not lists["scripts"]:
        raise fail("scripts", "at least one script is required; the first must export mount(root, options)")
    for key in ("entry", "thumbnail"):
        if key in data and not isinstance(data[key], str):
            raise fail(key, "expected a file path")
    listed = [
        *lists["scripts"],
        *lists["styles"],
        *lists["data"],
        *(data[k] for k in ("entry", "thumbnail") if k in data),
    ]
    for relative in listed:
        target = (folder / relative).resolve()
        key = next(
            k
            for k in ("scripts", "styles", "data", "entry", "thumbnail")
            if relative in (lists.get(k, ()) if k in lists else (data.get(k),))
        )
        shared = (folder.parent / SHARED).resolve()
        if not (target.is_relative_to(folder.resolve()) or target.is_relative_to(shared)):
            raise fail(key, f"{relative} points outside the demo folder (only ../{SHARED}/ may be shared)")
        if not target.is_file():
            raise fail(key, f"file not found: demos/{name}/{relative}")
    options = _options(data.get("options", {}), fail)
    entry_html = (folder / data["entry"]).read_text("utf-8") if "entry" in data else ""
    demo = Demo(
        name=name,
        manifest=source,
        title=data["title"].strip(),
        description=data["description"].strip(),
        entry_html=re.sub(r"\n\s*\n", "\n", entry_html.strip()),
        scripts=lists["scripts"],
        styles=lists["styles"],
        data=lists["data"],
        thumbnail=data.get("thumbnail"),
        options=options,
    )
    # Shared helpers are published once for all demos, so a bundle does not copy them.
    files = [item for item in listed if item != data.get("entry") and not item.startswith(f"../{SHARED}/")]
    return demo, files, listed  # (listed: every file the checks looked at)


def _options(raw: Any, fail: Callable[[str, str], DemoError]) -> dict[str, DemoOption]:
    if not isinstance(raw, dict):
        raise fail("options", "expected a mapping of option name -> {type, default}")
    options: dict[str, DemoOption] = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or spec.get("type") not in OPTION_TYPES:
            raise fail("options", f"option {name!r} needs type: one of {', '.join(OPTION_TYPES)}")
        unknown = set(spec) - {"type", "default", "choices", "description"}
        if unknown:
            raise fail("options", f"option {name!r} has unknown keys {sorted(unknown)}")
        if "default" in spec and not OPTION_TYPES[spec["type"]](spec["default"]):
            raise fail("options", f"option {name!r}: default {spec['default']!r} is not a {spec['type']}")
        choices = spec.get("choices")
        options[str(name)] = DemoOption(
            str(name),
            spec["type"],
            spec.get("default"),
            tuple(choices) if isinstance(choices, list) else None,
            str(spec.get("description", "")),
        )
    return options


def load_demos(
    root: Path,
    manifests: list[Source],
    baseurl: str,
    generated: Mapping[str, Mapping[str, bytes]] | None = None,
    memo: DemoMemo | None = None,
) -> DemoSet:
    """Read and validate every manifest; fingerprint and link every bundle. `generated` holds
    build-time files per demo (added by plugins, see plugins.py), published and hashed the same way.
    `memo` (kept by `blog serve`) skips what has not changed since the last call."""
    memo = memo if memo is not None else DemoMemo()
    generated = {name: dict(files) for name, files in (generated or {}).items()}
    demos_root = root / "demos"
    shared = shared_stats(demos_root, SHARED)
    checked = [(source, file_stat(source.path), known_stats(memo, source)) for source in manifests]
    key = (root, baseurl, shared, [(s.relative, st, k and k[1]) for s, st, k in checked], generated)
    if memo.last is not None and memo.last[0] == key:
        return memo.last[1]
    result = DemoSet()
    memo.used = set()
    shared_files = {path: memo.blob(demos_root / path, stat) for path, stat in shared}
    shared_digest = _digest(shared_files, "")
    rename: dict[str, str] = {path: _hashed_name(path, shared_digest) for path in shared_files}
    contents: dict[str, bytes] = dict(shared_files)
    bundles: dict[str, list[str]] = {}
    for source, stat, known in checked:
        name = source.relative.split("/")[1]
        folder = demos_root / name
        entry = memo.manifests.get(source.relative)
        if entry is not None and known is not None and stat is not None and stat == entry[0] == known[0]:
            unchanged = dict(known[1]) == entry[1]
        else:
            unchanged = False
        if entry is not None and unchanged:
            _, stats, demo, files = entry
        else:
            memo.manifests.pop(source.relative, None)
            memo.validated += 1
            try:
                data, text = _read_manifest(source)
                demo, files, listed = _validate(name, source, data, text, folder)
            except DemoError as e:
                result.errors.append(e)
                continue
            stats = {path: file_stat(folder / path) for path in listed}
            memo.manifests[source.relative] = (stat, stats, demo, files)
        bundle = {f"{name}/{path}": memo.blob(folder / path, stats[path]) for path in files}
        bundle.update({f"{name}/{path}": blob for path, blob in generated.get(name, {}).items()})
        inputs = (name, shared_digest, tuple((p, stats[p]) for p in files), tuple(generated.get(name, {}).items()))
        digest = memo.digests.get(inputs) if None not in stats.values() else None
        if digest is None:
            digest = _digest(bundle, shared_digest)
            memo.digests = {k: v for k, v in memo.digests.items() if k[0] != name}  # the latest per demo
            memo.digests[inputs] = digest
        rename.update({path: _hashed_name(path, digest) for path in bundle})
        contents.update(bundle)
        bundles[name] = list(bundle)
        result.demos[name] = demo
    for path, blob in contents.items():
        if path.endswith(REWRITTEN_EXTENSIONS):
            blob = _linked(memo, path, blob, rename)
        result.files.append(BundleFile(path, "demos/" + rename[path], blob))
    for name, demo in list(result.demos.items()):
        urls = {path.split("/", 1)[1]: f"{baseurl}/demos/{rename[path]}" for path in bundles[name]}
        urls.update({f"../{path}": f"{baseurl}/demos/{rename[path]}" for path in shared_files})
        result.demos[name] = Demo(**{**demo.__dict__, "files": urls})
    memo.last = (key, result) if not result.errors else None
    memo.blobs = {path: memo.blobs[path] for path in memo.used if path in memo.blobs}
    memo.used = set()
    return result


def _digest(files: Mapping[str, bytes], salt: str) -> str:
    hasher = hashlib.sha256(salt.encode())
    for path in sorted(files):
        hasher.update(path.encode() + b"\0" + files[path] + b"\0")
    return hasher.hexdigest()[:10]


def _linked(memo: DemoMemo, path: str, blob: bytes, rename: Mapping[str, str]) -> bytes:
    """_link, remembered per file: the same bytes again while its text and the hashed names of
    what it names are the same."""
    known = memo.links.get(path)
    if known is not None and known[0] == blob and [rename.get(t) for t in known[1]] == known[2]:
        return known[3]
    folder = posixpath.dirname(path)
    text = blob.decode("utf-8")
    targets = [posixpath.normpath(posixpath.join(folder, m[2])) for m in RELATIVE_LITERAL.finditer(text)]
    linked = _link(path, blob, rename)
    memo.links[path] = (blob, targets, [rename.get(t) for t in targets], linked)
    return linked


def _link(path: str, blob: bytes, rename: Mapping[str, str]) -> bytes:
    folder = posixpath.dirname(path)
    text = blob.decode("utf-8")

    def swap(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(folder, match.group(2)))
        if target not in rename:
            return match.group(0)
        relative = posixpath.relpath(rename[target], folder)
        relative = relative if relative.startswith("../") else "./" + relative
        return f"{match.group(1)}{relative}{match.group(1)}"

    return RELATIVE_LITERAL.sub(swap, text).encode("utf-8")


class DemoEmbedder:
    """The `demo(name, **options)` function templates and markdown call. It keeps its demos in
    private attributes (the sandbox refuses `_` names; post Jinja gets only a wrapper function) and
    returns the embed as Markup: HTML it made itself, printed as is by autoescaping layouts."""

    def __init__(self, demos: Mapping[str, Demo]) -> None:
        self._demos = demos
        self._counters: dict[str, int] = {}

    def __call__(self, name: str, _page_url: str = "", _standalone: bool = False, **options: Any) -> Markup:
        demo = self._demos.get(name)
        if demo is None:
            known = ", ".join(sorted(self._demos)) or "none"
            raise DemoError(f"unknown demo {name!r}; known demos: {known}")
        values = {key: option.default for key, option in demo.options.items()}
        for key, value in options.items():
            option = demo.options.get(key)
            if option is None:
                raise DemoError(
                    f"demo {name!r} has no option {key!r}; options: {', '.join(sorted(demo.options)) or 'none'}"
                )
            if not OPTION_TYPES[option.type](value):
                raise DemoError(f"demo {name!r} option {key!r} must be a {option.type}, got {value!r}")
            if option.choices and value not in option.choices:
                raise DemoError(f"demo {name!r} option {key!r} must be one of {', '.join(map(str, option.choices))}")
            values[key] = value
        count = self._counters[_page_url] = self._counters.get(_page_url, 0) + 1
        root_id = f"demo-{name}-{count}"
        data_assets = {
            path: url for path, url in demo.files.items() if path not in demo.scripts and path not in demo.styles
        }
        values.update(assets=data_assets, standalone=_standalone)
        height = values.get("height")
        style = f' style="min-height:{int(height)}px"' if isinstance(height, int) and height > 0 else ""
        styles = "".join(f'<link rel="stylesheet" href="{html.escape(demo.files[s])}">' for s in demo.styles)
        payload = json.dumps(values, ensure_ascii=False).replace("</", "<\\/")
        script = (
            f'<script type="module">import {{ mount }} from {json.dumps(demo.files[demo.scripts[0]])};'
            f" mount(document.getElementById({json.dumps(root_id)}), {payload});</script>"
        )
        return Markup(
            f'<div class="demo-embed">{styles}<div class="demo demo-{name}" id="{root_id}" data-demo="{name}"{style}>'
            f"\n{demo.entry_html}\n</div>{script}</div>"
        )
