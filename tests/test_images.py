"""The image pipeline (generator/render/images.py) through real builds of tiny sites: sizes from the
file, lazy loading, WebP variants in <picture>, the cache, and the images it must refuse."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from generator.build import BuildOptions, build
from generator.errors import BuildFailed, ConfigError

POST = "_posts/2020-01-01-pictures.md"
PAGE = "_site/2020/01/01/pictures.html"


def photo(width: int = 1600, height: int = 900, fmt: str = "JPEG") -> bytes:
    """A photo-like image (smooth gradients with a little noise) that WebP compresses as it would a photo."""
    image = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width, height)),
            Image.effect_noise((width, height), 24),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ],
    )
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=92)
    return buffer.getvalue()


def png(width: int, height: int, mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (900, 300), color) for color in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def post(body: str) -> str:
    return f"---\ntitle: Pictures\n---\n{body}\n"


def tags(html: str, name: str) -> list[str]:
    return re.findall(rf"<{name}\b[^>]*>", html)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found[1] if found else None


@pytest.fixture
def site(make_site: Callable[[dict[str, str | bytes]], Path]) -> Path:
    return make_site(
        {
            "assets/photo.jpg": photo(),
            "assets/dot.png": png(200, 100),
            "assets/anim.gif": animated_gif(),
            "assets/icon.png": png(100, 50, "RGB"),
            POST: post(
                '<img src="/assets/photo.jpg" alt="A photo">\n\n'
                "Some text.\n\n"
                '<img src="/assets/dot.png" alt="dot" width="50">\n\n'
                '<img src="/assets/photo.jpg" alt="narrow" style="width:30%">\n\n'
                "![moving](/assets/anim.gif)\n\n"
                "![icon](/assets/icon.png)\n"
            ),
        }
    )


def test_sizes_come_from_the_file_and_only_the_first_image_loads_eagerly(site: Path) -> None:
    build(BuildOptions(source=site))
    images = tags((site / PAGE).read_text("utf-8"), "img")
    assert len(images) == 5
    first, dot, narrow, gif, _ = images
    assert (attribute(first, "width"), attribute(first, "height")) == ("1600", "900")
    assert attribute(first, "loading") is None and attribute(first, "decoding") == "async"
    # The author's width is kept; the height follows the aspect ratio (200x100).
    assert (attribute(dot, "width"), attribute(dot, "height"), attribute(dot, "loading")) == ("50", "25", "lazy")
    # A percentage width in style stays; width/height give the browser the aspect ratio.
    assert attribute(narrow, "style") == "width:30%"
    assert (attribute(narrow, "width"), attribute(narrow, "height")) == ("1600", "900")
    assert (attribute(gif, "width"), attribute(gif, "height"), attribute(gif, "loading")) == ("900", "300", "lazy")
    # Transparency is marked for the dark-mode backdrop (figures.css); the photo has none.
    assert "img-alpha" in (attribute(dot, "class") or "") and attribute(first, "class") is None


def test_large_images_get_webp_variants_in_a_picture_with_the_original_as_fallback(site: Path) -> None:
    result = build(BuildOptions(source=site))
    html = (site / PAGE).read_text("utf-8")
    pictures = re.findall(r"<picture>(.*?)</picture>", html, re.S)
    assert len(pictures) == 2, "the photo twice; the small PNG and the animated GIF get no variants"
    source = tags(pictures[0], "source")[0]
    assert attribute(source, "type") == "image/webp"
    candidates = [c.split() for c in attribute(source, "srcset").split(", ")]
    assert [w for _, w in candidates] == ["480w", "800w", "1280w"]
    for url, width in candidates:
        file = result.destination / url.lstrip("/")
        with Image.open(file) as variant:
            assert variant.format == "WEBP" and variant.width == int(width[:-1])
        assert file.stat().st_size < (site / "assets/photo.jpg").stat().st_size
        assert result.origins[url.lstrip("/")] == "assets/photo.jpg"
    assert attribute(tags(pictures[0], "img")[0], "src") == "/assets/photo.jpg"
    assert attribute(source, "sizes").endswith(", 640px")
    assert "* 0.3" in attribute(tags(pictures[1], "source")[0], "sizes"), "style width:30% narrows sizes"
    # Shown narrower than it is (by the column, or the author's width="50"): a link to the full
    # image. The 100 px icon is shown at its size: no link.
    assert html.count('<a class="enlarge" href="/assets/photo.jpg"') == 2
    assert '<a class="enlarge" href="/assets/dot.png"' in html
    assert 'href="/assets/icon.png"' not in html
    # The GIF keeps animating: copied as it is, no still WebP of it.
    assert (result.destination / "assets/anim.gif").read_bytes() == (site / "assets/anim.gif").read_bytes()
    assert not list(result.destination.glob("assets/anim-*"))


def test_a_second_build_processes_no_image_until_one_changes(site: Path) -> None:
    first = build(BuildOptions(source=site))
    assert first.images_processed == 1  # the photo (twice on the page, processed once)
    names = sorted(p.name for p in first.destination.glob("assets/*.webp"))
    second = build(BuildOptions(source=site))
    assert second.images_processed == 0
    assert sorted(p.name for p in second.destination.glob("assets/*.webp")) == names
    (site / "assets/photo.jpg").write_bytes(photo(1400, 700))
    third = build(BuildOptions(source=site))
    assert third.images_processed == 1
    renamed = sorted(p.name for p in third.destination.glob("assets/*.webp"))
    assert renamed and not set(renamed) & set(names), "variants are named by content: new bytes, new names"


def test_other_settings_make_other_variants(site: Path) -> None:
    build(BuildOptions(source=site))
    (site / "_config.yml").write_text("images:\n  widths: [300, 600]\n  quality: 60\n", "utf-8")
    result = build(BuildOptions(source=site))
    assert result.images_processed == 1
    assert sorted(int(re.search(r"-(\d+)w-", p.name)[1]) for p in result.destination.glob("assets/*.webp")) == [
        300,
        600,
    ]


def test_the_off_switch_leaves_images_as_written(site: Path) -> None:
    (site / "_config.yml").write_text("images:\n  enabled: false\n", "utf-8")
    result = build(BuildOptions(source=site))
    html = (site / PAGE).read_text("utf-8")
    assert '<img src="/assets/photo.jpg" alt="A photo">' in html
    assert "<picture>" not in html and result.images_processed == 0


@pytest.mark.parametrize(
    ("files", "line", "message"),
    [
        ({"assets/bad.jpg": b"\xff\xd8\xff\xe0 not really a jpeg"}, 6, "cannot read the image"),
        ({"assets/bad.jpg": photo()[:3000]}, 6, "cannot decode the image"),  # a truncated download
        (
            {"assets/bad.jpg": png(8000, 6000, "1")},
            6,
            "image has 48.0 megapixels, above the limit of 40 (images.max_megapixels)",
        ),
        ({}, 6, "image /assets/bad.jpg not found"),
    ],
    ids=["corrupt", "truncated", "huge", "missing"],
)
def test_unusable_images_are_errors_at_their_line(
    make_site: Callable[[dict[str, str | bytes]], Path], files: dict[str, bytes], line: int, message: str
) -> None:
    site = make_site({**files, POST: post('Text.\n\n<img src="/assets/bad.jpg" alt="bad">')})
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(source=site))
    (error,) = failed.value.errors
    assert str(error).startswith(f"{POST}:{line}: image /assets/bad.jpg")
    assert message in str(error)
    assert not (site / "_site").exists(), "nothing is written by a failed build"


def test_huge_images_are_refused_from_the_header_without_decoding(
    make_site: Callable[[dict[str, str | bytes]], Path],
) -> None:
    """A PNG whose header claims 100,000 x 100,000 pixels (10 gigapixels, 40 GB decoded) but holds
    no pixel data: refusing it must not need the pixels."""
    header = png(1, 1)
    ihdr = header.index(b"IHDR")
    import struct
    import zlib

    chunk = b"IHDR" + struct.pack(">II", 100_000, 100_000) + header[ihdr + 12 : ihdr + 17]
    forged = header[: ihdr - 4] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    site = make_site({"assets/bomb.png": forged + header[ihdr + 21 :], POST: post('<img src="/assets/bomb.png">')})
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(source=site))
    assert "too large" in str(failed.value.errors[0]) or "megapixels" in str(failed.value.errors[0])


def test_image_settings_are_checked_with_their_line(make_site: Callable[[dict[str, str | bytes]], Path]) -> None:
    site = make_site({"_config.yml": "title: x\nimages:\n  formats: [jpeg2000]\n", POST: post("x")})
    with pytest.raises(ConfigError) as failed:
        build(BuildOptions(source=site))
    assert "images.formats" in str(failed.value) and "_config.yml:3" in str(failed.value)
