"""A `blog build` hashes each converted text's cache key once (render/cache.py): the body's key was
hashed in prefetch and again in convert, the excerpt's three times (≈ 10 ms of a no-op at 1,000
posts), and once conversion is over the memo lets go of the texts. Counted, in a real build."""

from __future__ import annotations

from pathlib import Path

from test_build_work_counts import make_site

from generator.build import BuildOptions, build
from generator.render.cache import ConversionCache

POSTS = 8


def hashed_keys(site: Path, monkeypatch) -> list[str]:
    """The texts whose cache key one `blog build` of `site` hashed (the real hash still runs)."""
    hashed: list[str] = []
    real = ConversionCache.key

    def counting(text: str, fingerprint: str) -> str:
        hashed.append(text)
        return real(text, fingerprint)

    monkeypatch.setattr(ConversionCache, "key", staticmethod(counting))
    build(BuildOptions(source=site))  # owns its cache: the spilling one-shot build
    return hashed


def test_a_build_hashes_each_text_key_once(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path / "site", posts=POSTS)
    for kind in ("cold", "no-op"):
        hashed = hashed_keys(site, monkeypatch)
        assert len(hashed) == len(set(hashed)), kind  # each text once
        assert sum(text.startswith("Post ") for text in hashed) == 2 * POSTS, kind  # each body and its excerpt


def test_the_memo_lets_go_of_its_texts_after_conversion(tmp_path: Path) -> None:
    cache = ConversionCache.load(tmp_path / "cache", spill=True)
    text = "some *markdown* " * 100
    assert cache.key_of(text, "f") == cache.key_of(text, "f") == ConversionCache.key(text, "f")
    assert any(entry[0] is text for entry in cache._keys_now.values())
    cache.let_go_of_keys()
    assert cache.key_of(text, "f") == ConversionCache.key(text, "f")
    assert not cache._keys_now and not cache._keys_before  # nothing held for a spilling build
