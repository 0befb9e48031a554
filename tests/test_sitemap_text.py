"""The sitemap is written as text (render/generated.py: ElementTree cost ~15 ms of every no-op);
these tests hold it to the very bytes ElementTree wrote, for awkward URLs and for no page at all."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

from generator.render import generated
from generator.write.output import Output

SITEMAP = generated.SITEMAP


def by_element_tree(renderer: Any, outputs: list[Output]) -> bytes:
    """The former sitemap(), as it was, for the comparison."""
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    dates = {view["url"]: view.get("date") for view in renderer.views.values()}
    excluded = {view["url"] for view in renderer.views.values() if view.get("sitemap") is False}
    for output in sorted(outputs, key=lambda o: o.url):
        if not output.output_path.endswith(".html") or output.output_path == "404.html" or output.url in excluded:
            continue
        entry = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(entry, f"{{{SITEMAP}}}loc").text = generated._absolute(renderer, output.url)
        if isinstance(dates.get(output.url), dt.datetime):
            ET.SubElement(entry, f"{{{SITEMAP}}}lastmod").text = dates[output.url].date().isoformat()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def renderer(views: dict[str, dict[str, Any]], url: str = "https://example.org", baseurl: str = "") -> Any:
    return SimpleNamespace(views=views, site=SimpleNamespace(config=SimpleNamespace(url=url, baseurl=baseurl)))


def page(url: str) -> Output:
    path = url.strip("/") + "/index.html" if url.endswith("/") else url.lstrip("/")
    return Output(url, path, b"", "x")


def test_sitemap_text_matches_element_tree_for_awkward_urls() -> None:
    urls = ["/", "/a&b/", "/<tag>/", "/q\"uote'/", "/caf\u00e9/", "/x>y/", "/feed.xml", "/404.html", "/hidden/"]
    views = {
        "a.md": {"url": "/a&b/", "date": dt.datetime(2024, 2, 29, 23, 59)},
        "b.md": {"url": "/caf\u00e9/", "date": dt.date(2024, 1, 1)},  # a date, not a datetime: no lastmod
        "c.md": {"url": "/hidden/", "sitemap": False},
        "d.md": {"url": "/<tag>/", "date": dt.datetime(1999, 12, 31, tzinfo=dt.UTC)},
    }
    made = renderer(views, "https://ex&ample.org", "/b<a>se")
    outputs = [page(u) for u in urls]
    text = generated.sitemap(made, outputs).data
    assert text == by_element_tree(made, outputs)
    assert b"/hidden/" not in text and b"404" not in text and b"&amp;" in text and b"<lastmod>" in text


def test_empty_sitemap_matches_element_tree() -> None:
    made = renderer({})
    assert generated.sitemap(made, [page("/404.html")]).data == by_element_tree(made, [page("/404.html")])
