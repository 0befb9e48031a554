"""first_chunk (render/excerpts.py) finds a post's excerpt text without splitting its whole body:
it must give exactly what the split gave, for every separator and body shape."""

from __future__ import annotations

import itertools

from generator.render.excerpts import first_chunk


def by_split(body: str, separator: object) -> str:
    return next((chunk for chunk in body.strip().split(separator) if chunk.strip()), "")  # type: ignore[arg-type]


def test_first_chunk_matches_split_for_every_small_body() -> None:
    pieces = ["a", " ", "\n", "\n\n", "<!--more-->", "b c", "\t"]
    separators = ["\n\n", "<!--more-->", "\n", " ", "ab", None]
    checked = 0
    for length in range(5):
        for parts in itertools.product(pieces, repeat=length):
            body = "".join(parts)
            for separator in separators:
                assert first_chunk(body, separator) == by_split(body, separator), (body, separator)
                checked += 1
    assert checked == 6 * sum(7**n for n in range(5))  # every body of up to 4 pieces


def test_first_chunk_of_a_long_body_is_its_first_paragraph() -> None:
    body = "\n\n\nFirst *para*.\n\n" + "more text\n\n" * 10_000
    assert first_chunk(body, "\n\n") == "First *para*."
