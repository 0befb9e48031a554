// "What t-SNE keeps": a point's k nearest neighbours in the original (high-dimensional) space
// next to its k nearest neighbours in the 2-D layout, and how many the two lists share.
// DOM-free, so node tests it and the page calls it on hover/tap (O(n·d) per call: cheap enough
// to redo on every animation frame while the layout moves).

/**
 * Indices of the k points nearest to point i by `dist(j)` (i itself excluded), nearest first;
 * ties are broken by the lower index so the result is deterministic.
 */
export function nearest(n, i, k, dist) {
  const idx = [];
  const val = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const v = dist(j);
    if (idx.length === k && !(v < val[k - 1])) continue;
    // Insertion into the short sorted list (k is small: 5 to 10).
    let p = Math.min(idx.length, k - 1);
    if (idx.length < k) {
      idx.push(j);
      val.push(v);
      p = idx.length - 1;
    }
    while (p > 0 && val[p - 1] > v) {
      idx[p] = idx[p - 1];
      val[p] = val[p - 1];
      p--;
    }
    idx[p] = j;
    val[p] = v;
  }
  return idx;
}

/** Squared Euclidean distance from row i to every row of a flat n x d array. */
export function vectorDistances(data, d, i) {
  const o = i * d;
  return (j) => {
    let s = 0;
    const oj = j * d;
    for (let k = 0; k < d; k++) {
      const diff = data[o + k] - data[oj + k];
      s += diff * diff;
    }
    return s;
  };
}

/** Row i of a full n x n distance matrix (the pasted-distances input). */
export function matrixDistances(D, n, i) {
  return (j) => D[i * n + j];
}

/**
 * Compare point i's k nearest neighbours in high-D (`highDist(j)`, e.g. vectorDistances) with
 * its k nearest in the 2-D layout Y (flat [x0, y0, x1, y1, …]).
 * Returns {high, low, shared, kept}: index lists nearest first, shared in `high`'s order, and
 * kept = shared.length (how many of the k true neighbours are still neighbours in 2-D).
 */
export function compareNeighbours(i, k, n, highDist, Y) {
  const kk = Math.max(0, Math.min(k, n - 1));
  const high = nearest(n, i, kk, highDist);
  const xi = Y[2 * i];
  const yi = Y[2 * i + 1];
  const low = nearest(n, i, kk, (j) => (Y[2 * j] - xi) ** 2 + (Y[2 * j + 1] - yi) ** 2);
  const inLow = new Set(low);
  const shared = high.filter((j) => inLow.has(j));
  return { high, low, shared, kept: shared.length };
}
