"""The image pass over each document's HTML: every local `<img>` gets its size from the file (no
layout shift), lazy loading after the first, and, for large still raster images, resized WebP
(and AVIF where it pays) variants in a `<picture>`, plus a link to the full image when the layout
shrinks it. Variants are extra outputs, cached in `.blog-cache/images/` (imagefiles.py).

Why `<picture>` and not `srcset` on the `<img>`: the `<source type="image/webp">` lets a browser
without WebP fall back to the author's own file, and the `<img src>` stays exactly what the author
wrote, so the dark-mode CSS (`img[src$=".png"]`), the fidelity tests and readers who save the image
all see the original. Resized copies of the original format are not made: every current browser
takes the WebP source, so they would be bytes nobody downloads."""

from __future__ import annotations

import html as htmllib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.config_schema import SCHEMA, nested_defaults
from generator.errors import ContentError
from generator.model import Document, Site
from generator.render import imagememo
from generator.render.imagefiles import ImageInfo, ImageProblem, ImageSettings, ImageStore, Variant, make_variants
from generator.render.imgtags import COLUMN_PX
from generator.render.imgtags import add_class as _add_class
from generator.render.imgtags import shown_width as _shown_width
from generator.render.imgtags import size_attributes as _size_attributes
from generator.render.imgtags import with_attributes as _with
from generator.render.imagerefs import SCANNED, output_path, scanned_srcs, variant_output
from generator.write.output import Output

CACHE_SUBFOLDER = "images"
RASTER = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff")
PHONE_GUTTERS = "2rem"
TAG = re.compile(
    r"""<a\b(?:[^>"']|"[^"]*"|'[^']*')*>|</a\s*>|<picture\b[^>]*>|</picture\s*>|<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.I,
)
ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


@dataclass
class Prepared:
    info: ImageInfo | None = None
    variants: list[Variant] = field(default_factory=list)
    problem: str | None = None


class ImagePipeline:
    def __init__(self, site: Site) -> None:
        config = site.config
        values = {**nested_defaults(SCHEMA["images"]), **(config.get("images") or {})}
        self.enabled = bool(values["enabled"])
        self.settings = ImageSettings(
            tuple(values["widths"]),
            int(values["quality"]),
            tuple(values["formats"]),
            int(values["max_megapixels"] * 1e6),
        )
        # Pillow's own pixel limit is set from settings.max_pixels wherever an image is opened
        # (imagefiles.pillow): Pillow is imported only when an image is looked at.
        self.baseurl = config.baseurl
        self.store = ImageStore(config.source / ".blog-cache" / CACHE_SUBFOLDER)
        self.files = {s.output_path: s for s in site.static_files}
        self.prepared: dict[str, Prepared] = {}  # by output path of the source image
        self.used: dict[str, Variant] = {}  # output path -> variant
        self.origins: dict[str, str] = {}
        self.processed = 0  # images whose variants were made in this build (not taken from the cache)
        # While a rewrite records for imagememo: what it depended on and the variants it named.
        self._images: list[tuple[str, bool, ImageInfo | None, tuple[Variant, ...]]] | None = None
        self._named: list[tuple[str, Variant, str, str]] = []

    # -- preparing: probe every image once, make missing variants in parallel ------------------
    def prepare(self, texts: Iterable[str]) -> None:
        """Probe every image the texts name and make the variants the cache lacks, on all cores.
        An optimisation only: rewrite() prepares what this missed, one at a time."""
        if not self.enabled:
            return
        scanned = {text: scanned_srcs(text) for text in texts}
        SCANNED.append(scanned)
        wanted = {p for srcs in scanned.values() for src in srcs if (p := self._output_path(src))}
        # (Vector images are not probed: rewrite() leaves them as they are.)
        jobs = [
            job
            for path in sorted(wanted)
            if path in self.files and not path.lower().endswith(".svg") and (job := self._start(path))
        ]
        if jobs:
            from concurrent.futures import ThreadPoolExecutor  # here: a rebuild seldom makes variants

            self.store.folder.mkdir(parents=True, exist_ok=True)
            with ThreadPoolExecutor(min(8, os.cpu_count() or 1)) as pool:
                for path, outcome in zip(jobs, pool.map(self._variants, jobs), strict=True):
                    self._finish(path, outcome)
        self.store.save()

    def _start(self, path: str) -> str | None:
        """Probe; returns the path when its variants still have to be made."""
        if path in self.prepared:
            return None
        prepared = self.prepared[path] = Prepared()
        try:
            prepared.info, _ = self.store.info(self.files[path].source.path, self.settings.max_pixels)
        except ImageProblem as e:
            prepared.problem = str(e)
            return None
        except OSError as e:
            prepared.problem = f"cannot read the image ({e.strerror or e})"
            return None
        if not self._wants_variants(path, prepared.info):
            return None
        known = self.store.known_variants(prepared.info, self.settings)
        if known is not None:
            prepared.variants = known
            return None
        return path

    def _wants_variants(self, path: str, info: ImageInfo) -> bool:
        # Animated images keep animating: a still WebP of frame one would be wrong.
        return (
            path.lower().endswith(RASTER)
            and not info.animated
            and bool(self.settings.usable_formats())
            and info.width > min(self.settings.widths, default=info.width)
        )

    def _variants(self, path: str) -> list[Variant] | str:
        prepared = self.prepared[path]
        assert prepared.info is not None
        try:
            return make_variants(
                self.files[path].source.path.read_bytes(), prepared.info, self.settings, self.store.folder
            )
        except (ImageProblem, OSError) as e:
            return str(e)

    def _finish(self, path: str, outcome: list[Variant] | str) -> None:
        self.processed += 1
        prepared = self.prepared[path]
        if isinstance(outcome, str):
            prepared.problem = outcome
        else:
            prepared.variants = outcome
            assert prepared.info is not None
            self.store.remember(prepared.info, self.settings, outcome)

    def _prepared(self, path: str) -> Prepared:
        job = self._start(path)
        if job is not None:
            self.store.folder.mkdir(parents=True, exist_ok=True)
            self._finish(job, self._variants(job))
        return self.prepared[path]

    def _output_path(self, src: str) -> str | None:
        return output_path(self.baseurl, src)

    # -- rewriting ------------------------------------------------------------------------------
    def rewrite(self, html: str, doc: Document) -> str:
        """The document's HTML with every local image sized, lazy after the first, and served
        from variants where they exist. Raises ContentError (path:line) for a missing image."""
        if not self.enabled or "<img" not in html.lower():
            return html
        memo = imagememo.current()
        if memo is None:
            return self._rewrite(html, doc)
        kept = memo.get(html)
        if kept is not None and self._still(kept):
            memo.hits += 1
            for output, variant, origin, _ in kept.used:
                self.used[output], self.origins[output] = variant, origin
            return kept.result
        self._images, self._named = [], []
        try:
            result = self._rewrite(html, doc)
            memo.put(
                html, imagememo.Rewritten(self.baseurl, self.settings, tuple(self._images), tuple(self._named), result)
            )
        finally:
            self._images = None
        return result

    def _still(self, kept: imagememo.Rewritten) -> bool:
        """Whether everything `kept` was made from is the same in this build."""
        if kept.baseurl != self.baseurl or kept.settings != self.settings:
            return False
        for path, in_site, info, variants in kept.images:
            if (path in self.files) != in_site:
                return False
            if info is not None:
                prepared = self._prepared(path)
                if prepared.problem or prepared.info != info or tuple(prepared.variants) != variants:
                    return False
        return all(str(self.files[path].source.relative) == origin for _, _, origin, path in kept.used)

    def _rewrite(self, html: str, doc: Document) -> str:
        out: list[str] = []
        copied, in_link, in_picture, first = 0, 0, 0, True
        for match in TAG.finditer(html):
            tag = match[0][:9].lower()  # (the kind of tag is all that is asked: no need to copy it all)
            if tag.startswith("<a"):
                in_link += 1
            elif tag.startswith("</a"):
                in_link = max(0, in_link - 1)
            elif tag.startswith("<picture"):
                in_picture += 1
            elif tag.startswith("</picture"):
                in_picture = max(0, in_picture - 1)
            else:
                out += [html[copied : match.start()], self._image(match[0], doc, first, in_link > 0, in_picture > 0)]
                copied, first = match.end(), False
        out.append(html[copied:])
        return "".join(out)

    def _image(self, tag: str, doc: Document, first: bool, in_link: bool, in_picture: bool) -> str:
        attributes = {name.lower(): _unquote(value) for name, value in ATTRIBUTE.findall(tag[4:-1].rstrip("/"))}
        src = attributes.get("src", "")
        added: dict[str, str] = {}
        if not first and "loading" not in attributes:
            added["loading"] = "lazy"
        path = self._output_path(src) if src else None
        if path is None or path.lower().endswith(".svg") and path in self.files:
            if path is not None and self._images is not None:
                self._images.append((path, True, None, ()))
            return _with(tag, added)  # remote, data: or vector: no size to read here
        if "decoding" not in attributes:  # decoding a big raster off the main thread keeps scrolling smooth
            added["decoding"] = "async"
        if path not in self.files:
            raise ContentError(
                f"image {src} not found: no file {path} in the site; fix the path or add the file",
                doc.source.relative,
                _line_of(doc, src),
            )
        prepared = self._prepared(path)
        if prepared.problem or prepared.info is None:
            raise ContentError(f"image {src}: {prepared.problem}", doc.source.relative, _line_of(doc, src))
        info = prepared.info
        if self._images is not None:
            self._images.append((path, True, info, tuple(prepared.variants)))
        added.update(_size_attributes(attributes, info))
        if info.alpha and "img-alpha" not in attributes.get("class", "").split():
            tag = _add_class(tag, "img-alpha")
        shown = _shown_width(attributes)
        result = _with(tag, added)
        if prepared.variants and not in_picture:
            result = self._picture(result, path, prepared.variants, attributes, shown)
        rendered = shown[1] if shown[1] is not None else round(COLUMN_PX * shown[0])
        if not in_link and info.width > rendered:  # shrunk by the layout: the full image is a click away
            href = htmllib.escape(self.baseurl + "/" + path)
            result = f'<a class="enlarge" href="{href}" title="Full size ({info.width}×{info.height})">{result}</a>'
        return result

    def _picture(
        self, img: str, path: str, variants: list[Variant], attributes: dict[str, str], shown: tuple[float, int | None]
    ) -> str:
        fraction, pixels = shown
        if pixels is not None:
            sizes = f"(max-width: {pixels + 64}px) calc(100vw - {PHONE_GUTTERS}), {pixels}px"
        else:
            wide = round(COLUMN_PX * fraction)
            phone = f"100vw - {PHONE_GUTTERS}" if fraction == 1 else f"(100vw - {PHONE_GUTTERS}) * {fraction:g}"
            sizes = f"(max-width: {COLUMN_PX + 64}px) calc({phone}), {wide}px"
        sources = []
        for fmt in dict.fromkeys(v.format for v in variants):
            candidates = ", ".join(
                f"{htmllib.escape(self._variant_url(path, v))} {v.width}w" for v in variants if v.format == fmt
            )
            sources.append(f'<source type="image/{fmt}" srcset="{candidates}" sizes="{sizes}">')
        return f"<picture>{''.join(sources)}{img}</picture>"

    def _variant_url(self, path: str, variant: Variant) -> str:
        output = variant_output(path, variant)
        self.used[output] = variant
        self.origins[output] = str(self.files[path].source.relative)
        if self._images is not None:
            self._named.append((output, variant, self.origins[output], path))
        return f"{self.baseurl}/{output}"

    def outputs(self) -> list[Output]:
        """The variants this build's pages use, copied from the cache (extra outputs of the build)."""
        self.store.save()
        return [
            Output("/" + path, path, None, self.origins[path], self.store.file_of(variant))
            for path, variant in sorted(self.used.items())
        ]


def _unquote(value: str) -> str:
    return htmllib.unescape(value[1:-1] if value[:1] in "\"'" and len(value) > 1 else value)


def _line_of(doc: Document, src: str) -> int:
    """The line of the reference in the source file, else the body's first line."""
    index = doc.body.find(src)
    return doc.body_line + doc.body[:index].count("\n") if index >= 0 else doc.body_line
