"""Small pure helpers of the image pass (images.py) over one `<img>` tag's text: adding
attributes and a class, the size attributes an author left out, how wide the layout shows it.
(Moved out of images.py to keep it under the module size limit.)"""

from __future__ import annotations

import html as htmllib
import re

from generator.render.imagefiles import ImageInfo

# The text column in CSS pixels (assets/css/main.css: 60ch of the text font, 1rem gutters on phones):
# what `sizes` tells the browser before CSS has loaded, and what "shrunk by the layout" is measured against.
COLUMN_PX = 640
PERCENT_WIDTH = re.compile(r"(?:^|;)\s*(?:max-)?width\s*:\s*([\d.]+)%", re.I)


def with_attributes(tag: str, added: dict[str, str]) -> str:
    if not added:
        return tag
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    extra = "".join(f' {name}="{htmllib.escape(value)}"' for name, value in added.items())
    return tag[:end].rstrip() + extra + tag[end:]


def add_class(tag: str, name: str) -> str:
    quoted = re.search(r"""(\sclass\s*=\s*)(["'])(.*?)\2""", tag, re.I | re.S)
    if quoted is None:
        return with_attributes(tag, {"class": name})
    return tag[: quoted.start(3)] + f"{quoted[3]} {name}".strip() + tag[quoted.end(3) :]


def size_attributes(attributes: dict[str, str], info: ImageInfo) -> dict[str, str]:
    """width/height the author left out, keeping the image's aspect ratio with any they set."""
    width, height = attributes.get("width"), attributes.get("height")
    if width is not None and height is not None:
        return {}
    if width is not None:
        return {"height": str(round(int(width) * info.height / info.width))} if width.isdigit() else {}
    if height is not None:
        return {"width": str(round(int(height) * info.width / info.height))} if height.isdigit() else {}
    return {"width": str(info.width), "height": str(info.height)}


def shown_width(attributes: dict[str, str]) -> tuple[float, int | None]:
    """(fraction of the column, or the pixels the author gave): how wide the layout shows it at most."""
    width = attributes.get("width", "")
    if width.isdigit():
        return 1.0, min(int(width), COLUMN_PX)
    percent = PERCENT_WIDTH.search(attributes.get("style", ""))
    if percent:
        return min(1.0, float(percent[1]) / 100), None
    return 1.0, None
