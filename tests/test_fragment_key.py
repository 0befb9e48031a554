"""fragments.key reuses one JSON encoder: the keys must stay those of `json.dumps(..., default=repr)`
(a memo filled by an earlier version keeps hitting), for every kind of part callers pass."""

from __future__ import annotations

import hashlib
import json

from generator.incremental import fragments


def test_keys_are_the_json_dumps_ones() -> None:
    cases = [
        ("code", "x = 1\n", "python", [("cssclass", "highlight"), ("linenos", None)], "language-", "v", "code-1"),
        ("formula", "\\frac{a}{b} \u00e9 \U0001f600", True, "3.77", "typeset-2", "tex-1"),
        ("code", "", None, [], "", {"a": [1, 2.5, False]}, frozenset({1})),  # (frozenset: by repr)
    ]
    for parts in cases:
        expected = hashlib.sha256(json.dumps(list(parts), default=repr).encode()).hexdigest()
        assert fragments.key(*parts) == expected
    assert fragments.key("a", 1) != fragments.key("a", "1")
