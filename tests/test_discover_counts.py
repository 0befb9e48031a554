"""The source walk (load/discover.py) looks at the folder settings once per folder, not once per
file (issue #19, session 6): counted, with the classification itself checked unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config
from generator.load import discover as discover_module

from test_build_work_counts import make_site


def walk_counting(site: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, list[str]], int]:
    """(kind -> relative paths, calls of special_folders) of one walk of `site`."""
    calls = 0
    real = discover_module.special_folders

    def counting(config):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real(config)

    monkeypatch.setattr(discover_module, "special_folders", counting)
    found = discover_module.discover(load_config(site))
    return {kind: [source.relative for source in sources] for kind, sources in found.items()}, calls


def test_the_folder_settings_are_read_per_folder_not_per_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = make_site(tmp_path / "small", posts=5)
    large = make_site(tmp_path / "large", posts=60)
    for site in (small, large):
        (site / "_config.yml").write_text("title: Counts\ncollections: [recipes]\nexclude: [notes]\n")
        (site / "_recipes").mkdir()
        (site / "_recipes/soup.md").write_text("---\ntitle: Soup\n---\nHot.\n")
        (site / "notes").mkdir()
        (site / "notes/n.md").write_text("---\n---\nleft out\n")
        (site / "_hidden").mkdir()
        (site / "_hidden/h.md").write_text("---\n---\nleft out\n")
        (site / "about.md").write_text("---\ntitle: About\n---\nMe.\n")
        (site / "style.css").write_text("body {}\n")
        (site / "_posts/drafty.md~").write_text("an editor's backup\n")
    small_kinds, small_calls = walk_counting(small, monkeypatch)
    large_kinds, large_calls = walk_counting(large, monkeypatch)
    assert large_calls == small_calls  # 55 more posts, not one more look at the settings
    assert len(large_kinds["post"]) == 60 and "_posts/drafty.md~" not in large_kinds["post"]
    assert large_kinds["document"] == ["_recipes/soup.md"]
    assert large_kinds["page"] == ["about.md"] and large_kinds["static"] == ["style.css"]
    assert sorted(large_kinds) == ["document", "include", "layout", "page", "post", "static"]
