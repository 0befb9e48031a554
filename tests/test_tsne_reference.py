"""Cross-check the t-SNE demo's JavaScript optimiser against scikit-learn's exact t-SNE.

Both run on the first 500 handwritten digits (demos/tsne/data/digits.json) with perplexity 30
and 1000 iterations; our final KL(P||Q) must be within 10% of scikit-learn's.
"""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
TSNE_JS = REPO / "demos" / "tsne" / "tsne.js"
DIGITS = REPO / "demos" / "tsne" / "data" / "digits.json"
N_POINTS = 500
PERPLEXITY = 30.0
ITERATIONS = 1000
# scikit-learn's learning_rate="auto" is max(N / early_exaggeration / 4, 50) = 50 for N = 500;
# the JS run uses the same value so both optimisers take comparable steps.
LEARNING_RATE = 50.0

# Runs the page's own module under node and prints the final KL as JSON.
NODE_SCRIPT = """
import { readFileSync } from "node:fs";
const [tsneUrl, digitsPath, n, perplexity, lr, iterations] = process.argv.slice(1);
const { TSNE, toMatrix } = await import(tsneUrl);
const digits = JSON.parse(readFileSync(digitsPath, "utf8"));
const { data, n: rows, d } = toMatrix(digits.X.slice(0, Number(n)));
const tsne = new TSNE({ perplexity: Number(perplexity), learningRate: Number(lr), seed: 1 });
tsne.setData(data, rows, d);
tsne.init();
for (let i = 0; i < Number(iterations); i++) tsne.step();
console.log(JSON.stringify({ kl: tsne.kl(), iteration: tsne.iteration, rows }));
"""


def sklearn_exact_kl(X: np.ndarray) -> float:
    from sklearn.manifold import TSNE

    # The iteration-count argument was renamed n_iter -> max_iter in scikit-learn 1.5.
    params = inspect.signature(TSNE).parameters
    iterations = {"max_iter": ITERATIONS} if "max_iter" in params else {"n_iter": ITERATIONS}
    model = TSNE(
        n_components=2,
        perplexity=PERPLEXITY,
        method="exact",
        init="random",
        learning_rate=LEARNING_RATE,
        random_state=0,
        **iterations,
    )
    model.fit(X)
    return float(model.kl_divergence_)


def js_kl() -> dict:
    result = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            NODE_SCRIPT,
            TSNE_JS.as_uri(),
            str(DIGITS),
            str(N_POINTS),
            str(PERPLEXITY),
            str(LEARNING_RATE),
            str(ITERATIONS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_tsne_matches_sklearn_exact_kl():
    pytest.importorskip("sklearn")
    digits = json.loads(DIGITS.read_text(encoding="utf-8"))
    X = np.asarray(digits["X"][:N_POINTS], dtype=float)
    reference = sklearn_exact_kl(X)
    ours = js_kl()
    assert ours["rows"] == N_POINTS and ours["iteration"] == ITERATIONS
    assert 0 < reference < 5
    print(
        f"\nt-SNE KL: ours {ours['kl']:.5f}, scikit-learn exact {reference:.5f}, "
        f"difference {abs(ours['kl'] - reference) / reference:.2%}"
    )  # the README's figure (pytest -s)
    assert abs(ours["kl"] - reference) <= 0.10 * reference, (
        f"JS KL {ours['kl']:.4f} vs scikit-learn exact {reference:.4f}"
    )
