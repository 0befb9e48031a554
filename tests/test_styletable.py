"""generator/styletable.py: Pygments' style names read from its table file agree with Pygments."""

from __future__ import annotations

from pygments.styles import STYLE_MAP, get_all_styles

from generator.styletable import builtin_style_names, is_style


def test_the_table_read_as_a_file_names_exactly_pygments_own_styles() -> None:
    assert builtin_style_names() == frozenset(STYLE_MAP)
    assert {"default", "github-dark", "monokai"} <= builtin_style_names()


def test_every_style_pygments_knows_is_accepted_and_nothing_else() -> None:
    assert all(is_style(name) for name in get_all_styles())
    assert not is_style("no-such-style") and not is_style("")
