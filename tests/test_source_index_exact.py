"""The source index stores a Document only when decoding gives exactly the same one back (same
repr: types, zone names, order), checked with == plus the encoder's own refusals (sources.py)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from types import MappingProxyType

import pytest

from generator.incremental.sources import Unencodable, decode_document, encode_document
from generator.model import Page, Post, Source

SOURCE = Source(Path("/site/_posts/2020-01-01-a.md"), "_posts/2020-01-01-a.md", "post")
UTC = dt.UTC
VALUES = [
    1, True, 1.0, -0.0, float("nan"), "text", None, (1, 2), [1, 2], {"a": 1}, MappingProxyType({"b": (2,)}),
    dt.date(2020, 1, 2), dt.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=UTC), dt.datetime(2020, 1, 2),
    dt.datetime(2020, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.datetime(2020, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=1), "CET")),  # its name would be lost
    b"\x00bytes", {1: "a", "1": "b"}, [(), []], {(1, 2): 3},
]  # fmt: skip


def post(meta: dict, kind: type = Post, date: dt.datetime | None = dt.datetime(2020, 1, 1, tzinfo=UTC)) -> Post:
    return kind(
        source=SOURCE, meta=meta, body="Body *text*.\n", body_line=4, title="T", url="/a/",
        output_path="a/index.html", layout="post", is_markdown=True, render_with_jinja=False,
        date=date, slug="a", tags=("x",), categories=(),
    )  # fmt: skip


def test_whatever_is_indexed_comes_back_with_the_same_repr() -> None:
    chooser = random.Random(19)
    indexed = refused = 0
    for _ in range(2000):
        meta = {f"k{n}": chooser.choice(VALUES) for n in range(chooser.randint(0, 3))}
        doc = post(meta, chooser.choice([Post, Page]))
        try:
            text = encode_document(doc, UTC)
        except Unencodable:
            refused += 1
            continue
        indexed += 1
        assert repr(decode_document(text, SOURCE, UTC)) == repr(doc)
    assert indexed and refused  # both kinds were tried


def test_a_named_zone_is_not_indexed_as_it_would_come_back_unnamed() -> None:
    named = dt.datetime(2020, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=1), "CET"))
    with pytest.raises(Unencodable):
        encode_document(post({"updated": named}), UTC)
    unnamed = dt.datetime(2020, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert repr(decode_document(encode_document(post({"updated": unnamed}), UTC), SOURCE, UTC)) == repr(
        post({"updated": unnamed})
    )


def test_a_date_of_a_subclass_is_not_indexed() -> None:
    class Moment(dt.datetime):
        pass

    with pytest.raises(Unencodable):
        encode_document(post({}, date=Moment(2020, 1, 1, tzinfo=UTC)), UTC)


def test_every_field_of_a_document_is_encoded_or_refused_when_not_its_default() -> None:
    """encode_document does not decode to compare: it must know every field Document has."""
    import dataclasses

    from generator.model import Document

    encoded = ["source", "meta", "body", "body_line", "title", "url", "output_path", "layout", "is_markdown"]
    encoded += ["render_with_jinja", "date", "slug", "tags", "categories"]
    left_at_default = ["collection", "output"]
    assert [field.name for field in dataclasses.fields(Document)] == encoded + left_at_default
    for changed in [
        {"collection": "notes"},
        {"output": False},
        {"title": 2020},
        {"layout": ("a",)},
        {"body_line": 4.0},
    ]:
        with pytest.raises(Unencodable):
            encode_document(dataclasses.replace(post({}), **changed), UTC)
    doc = post({"k": (1, [2.5, None])})
    assert repr(decode_document(encode_document(doc, UTC), SOURCE, UTC)) == repr(doc)
