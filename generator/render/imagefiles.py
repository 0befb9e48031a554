"""Image files with Pillow: read an image's size from its header, make resized WebP/AVIF variants,
and remember both in `.blog-cache/images/` so a warm build never opens an image twice.

Pillow is the one well-kept imaging library for Python (Hugo and eleventy-img use libvips/sharp;
Pillow plays that part here). Its size check reads only the header, so probing every image of a site
each build costs microseconds; the index makes even that rare (keyed by file size and mtime)."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

# A 40-megapixel RGBA image is 160 MB once decoded: beyond that a blog image is a mistake (a camera
# original or a decompression bomb). Pillow warns above this and refuses above twice this; the
# pipeline refuses above it outright, before decoding (see probe()).
DEFAULT_MAX_PIXELS = 40_000_000
INDEX_NAME = "index.json"
# Part of every variant's key: bump when the encoding code changes its output.
ENCODER_VERSION = "1"
VARIANT_FORMATS = ("avif", "webp")  # preference order inside <picture>: the first a browser takes wins


def pillow(max_pixels: int) -> ModuleType:
    """PIL.Image, imported on first use rather than with this module: ~15 ms that a rebuild whose
    pages are all reused never needs (issue #19). Sets Pillow's own limit to the pipeline's."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels
    return Image


class ImageProblem(Exception):
    """An image that cannot be used (unreadable or too large): the message says what to do."""


@dataclass(frozen=True)
class ImageSettings:
    widths: tuple[int, ...]
    quality: int
    formats: tuple[str, ...]
    max_pixels: int = DEFAULT_MAX_PIXELS

    def fingerprint(self) -> str:
        return _fingerprint(self)

    def usable_formats(self) -> list[str]:
        """The configured formats this Pillow can write, in the order browsers should try them."""
        return list(_usable_formats(self))


# Both are asked once per image of every build; what Pillow can write does not change in a process.
@functools.cache
def _fingerprint(settings: ImageSettings) -> str:
    from PIL import features

    usable = [f for f in settings.formats if f in VARIANT_FORMATS and features.check(f)]
    text = json.dumps([sorted(settings.widths), settings.quality, usable, ENCODER_VERSION])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def _usable_formats(settings: ImageSettings) -> tuple[str, ...]:
    from PIL import features

    return tuple(f for f in VARIANT_FORMATS if f in settings.formats and features.check(f))


@dataclass(frozen=True)
class ImageInfo:
    sha: str  # of the file's bytes: names variants by content
    width: int  # as displayed (EXIF rotation applied)
    height: int
    size: int  # bytes
    animated: bool
    alpha: bool  # has transparency: gets a backdrop in dark mode


@dataclass(frozen=True)
class Variant:
    width: int
    format: str
    key: str  # file name stem in the cache and part of the output name
    size: int


def probe(path: Path, data: bytes, max_pixels: int) -> ImageInfo:
    """The image's displayed size from its header; refuses unreadable and huge images."""
    from PIL import UnidentifiedImageError

    Image = pillow(max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageProblem(too_large(width, height, max_pixels))
                if image.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn: sides swap
                    width, height = height, width
                animated = getattr(image, "n_frames", 1) > 1
                alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # Pillow checks the size as it opens the file, before we see it: its message has the count.
        pixels = re.search(r"\((\d+) pixels\)", str(e))
        count = f"{int(pixels[1]) / 1e6:.1f} megapixels" if pixels else "too many pixels"
        raise ImageProblem(
            f"image has {count}, above the limit of {max_pixels / 1e6:g} (images.max_megapixels); "
            "scale it down before publishing"
        ) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ImageProblem(f"cannot read the image ({type(e).__name__}: {e}); is the file complete?") from e
    return ImageInfo(hashlib.sha256(data).hexdigest(), width, height, len(data), animated, alpha)


def too_large(width: int, height: int, max_pixels: int) -> str:
    return (
        f"image is {width}x{height} = {width * height / 1e6:.1f} megapixels, above the limit of "
        f"{max_pixels / 1e6:g} (images.max_megapixels); scale it down before publishing"
    )


def variant_widths(info: ImageInfo, settings: ImageSettings) -> list[int]:
    """Smaller configured widths, and the image itself capped at the largest configured width."""
    if not settings.widths:
        return []
    largest = min(info.width, max(settings.widths))
    return sorted({w for w in settings.widths if w < largest} | {largest})


def make_variants(data: bytes, info: ImageInfo, settings: ImageSettings, folder: Path) -> list[Variant]:
    """Decode once, resize to every width, encode every format; keep a format only if it pays
    (its largest variant is smaller than the original file). Runs in worker threads: Pillow
    releases the GIL while it decodes, resizes and encodes."""
    from PIL import ImageOps

    Image = pillow(settings.max_pixels)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)
            image = image.convert("RGBA" if info.alpha else "RGB")
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise ImageProblem(f"cannot decode the image ({type(e).__name__}: {e}); is the file complete?") from e
    kept: list[Variant] = []
    by_format: dict[str, list[tuple[Variant, bytes]]] = {}
    for width in variant_widths(info, settings):
        height = max(1, round(info.height * width / info.width))
        resized = image if width == info.width else image.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in settings.usable_formats():
            encoded = encode(resized, fmt, settings.quality)
            key = hashlib.sha256(f"{info.sha}:{settings.fingerprint()}:{width}:{fmt}".encode()).hexdigest()[:16]
            by_format.setdefault(fmt, []).append((Variant(width, fmt, key, len(encoded)), encoded))
    smallest_full = info.size
    for fmt in settings.usable_formats():  # avif first: it must beat webp, too, to be worth a <source>
        made = by_format.get(fmt, [])
        if not made or made[-1][0].size >= smallest_full:
            continue
        smallest_full = min(smallest_full, int(made[-1][0].size / 0.9))  # the next format must win by 10 %
        for variant, encoded in made:
            (folder / f"{variant.key}.{fmt}").write_bytes(encoded)
            kept.append(variant)
    return kept


def encode(image: PillowImage, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
    else:
        image.save(buffer, "AVIF", quality=quality, speed=6)
    return buffer.getvalue()


# `blog serve` makes an ImageStore per rebuild: the index as this process last read or wrote it,
# by the index file's stat (another process's write changes it), and the variant files seen in the
# folder, by the folder's mtime (deleting or adding a file changes it), spare a rebuild re-reading
# the index and a stat per variant (issue #19). Keyed by folder; one entry per site served.
_INDEXES: dict[Path, tuple[tuple[int, int, int], dict[str, Any], dict[str, Any]]] = {}
_PRESENT: dict[Path, tuple[int, set[str]]] = {}


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class ImageStore:
    """`.blog-cache/images/`: variant files named by key, and index.json with what is known of each
    source (by path, size and mtime) and which variants each (content, settings) pair has."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.dirty = False
        self.probed = 0  # images whose bytes were read and probed (what tests count)
        self._present: set[str] | None = None  # variant files known to exist (see _PRESENT)
        stamp = _stamp(folder / INDEX_NAME)
        known = _INDEXES.get(folder)
        if stamp is not None and known is not None and known[0] == stamp:
            self.files, self.variants = known[1], known[2]
            return
        try:
            index = json.loads((folder / INDEX_NAME).read_text("utf-8"))
            self.files: dict[str, Any] = index["files"]
            self.variants: dict[str, Any] = index["variants"]
        except (OSError, ValueError, KeyError, TypeError):
            self.files, self.variants = {}, {}
        _INDEXES.pop(folder, None)
        if stamp is not None and isinstance(self.files, dict) and isinstance(self.variants, dict):
            _INDEXES[folder] = (stamp, self.files, self.variants)

    def info(self, path: Path, max_pixels: int) -> tuple[ImageInfo, bytes | None]:
        """(info, the file's bytes when they had to be read). Raises ImageProblem, OSError."""
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        known = self.files.get(str(path))
        if known and known["stamp"] == stamp:
            return ImageInfo(**known["info"]), None
        data = path.read_bytes()
        self.probed += 1
        info = probe(path, data, max_pixels)
        self.files[str(path)] = {"stamp": stamp, "info": asdict(info)}
        self.dirty = True
        return info, data

    def known_variants(self, info: ImageInfo, settings: ImageSettings) -> list[Variant] | None:
        entry = self.variants.get(f"{info.sha}:{settings.fingerprint()}")
        if entry is None:
            return None
        variants = [Variant(*row) for row in entry]
        present = self._present_files()
        for variant in variants:
            name = f"{variant.key}.{variant.format}"
            if name not in present:
                if not self.file_of(variant).is_file():
                    return None  # someone cleaned the cache folder: make them again
                present.add(name)
        return variants

    def _present_files(self) -> set[str]:
        """Variant files seen in the folder while its mtime is what it was (one stat per build)."""
        if self._present is None:
            stamp = _stamp(self.folder)
            known = _PRESENT.get(self.folder)
            if stamp is None or known is None or known[0] != stamp[0]:
                known = (stamp[0] if stamp else -1, set())
                _PRESENT[self.folder] = known
            self._present = known[1]
        return self._present

    def remember(self, info: ImageInfo, settings: ImageSettings, variants: list[Variant]) -> None:
        key = f"{info.sha}:{settings.fingerprint()}"
        self.variants[key] = [[v.width, v.format, v.key, v.size] for v in variants]
        self.dirty = True

    def file_of(self, variant: Variant) -> Path:
        return self.folder / f"{variant.key}.{variant.format}"

    def save(self) -> None:
        if not self.dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"{INDEX_NAME}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"files": self.files, "variants": self.variants}), "utf-8")
        os.replace(temporary, self.folder / INDEX_NAME)
        self.dirty = False
        stamp = _stamp(self.folder / INDEX_NAME)
        _INDEXES.pop(self.folder, None)
        if stamp is not None:
            _INDEXES[self.folder] = (stamp, self.files, self.variants)
