"""Extract scikit-learn's bundled handwritten digits into the t-SNE demo's JSON file.

Usage: python scripts/extract_digits.py [--out demos/tsne/data/digits.json]

The output is compact on purpose (integers, no indentation, one array per row) because the
browser downloads it on every visit of a page that embeds the demo.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.datasets import load_digits

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "demos" / "tsne" / "data" / "digits.json"


def digits_payload() -> dict:
    """The dataset in the demo's format: X rows of 64 ints (0..16), y class index, labels '0'..'9'."""
    bunch = load_digits()
    features = bunch.data.astype(int).tolist()
    targets = [int(t) for t in bunch.target]
    return {
        "name": "digits",
        "labels": [str(d) for d in range(10)],
        "X": features,
        "y": targets,
        # The tooltip shows "digit 3 (#17)"; building that in JS is smaller than shipping text.
        "text": None,
    }


def write_compact(payload: dict, out: Path) -> None:
    # One row per line keeps diffs readable while staying close to the minimal size.
    rows = ",\n".join(json.dumps(row, separators=(",", ":")) for row in payload["X"])
    head = {k: v for k, v in payload.items() if k not in ("X",)}
    body = json.dumps(head, separators=(",", ":"))[:-1]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body + ',"X":[\n' + rows + "\n]}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    payload = digits_payload()
    write_compact(payload, args.out)
    check = json.loads(args.out.read_text(encoding="utf-8"))
    assert check["X"] == payload["X"] and check["y"] == payload["y"]
    print(f"wrote {args.out} ({len(payload['X'])} rows, {args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
