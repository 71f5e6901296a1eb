#!/usr/bin/python3
"""Reference values for Spearman's rank correlation over pixels (average ranks for ties).

Run with Debian's Python: /usr/bin/python3 tests/reference/make_spearman_fixtures.py
Needs python3-numpy and python3-scipy. Writes tests/reference/fixtures/spearman/: genes.npy (float32,
genes x H x W: sparse counts that are mostly tied zeros, a few dense count maps, continuous values with
some ties) and spearman.npy (float64 [G, G], scipy.stats.spearmanr of the flattened maps), and versions.json.
The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "spearman")
SEED = 20261127


def make_genes(rng, h=40, w=30):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    blob = np.exp(-((yy - 12) ** 2 + (xx - 10) ** 2) / (2 * 4.0 ** 2))
    arc = np.exp(-((np.hypot(yy - 40, xx - 15) - 22) ** 2) / (2 * 1.5 ** 2))
    shifted = np.roll(blob, (3, 2), axis=(0, 1))
    continuous = np.round(blob * 10 + rng.gamma(1.0, 0.3, size=(h, w)), 1)  # rounded: ties among continuous values
    genes = [rng.poisson(0.8 * blob), rng.poisson(3 * blob), rng.poisson(3 * shifted), rng.poisson(2 * arc),
             rng.poisson(0.05 * np.ones((h, w))), rng.poisson(20 * blob + 5), continuous]
    return np.stack(genes).astype(np.float32)


def main():
    rng = np.random.default_rng(SEED)
    genes = make_genes(rng)
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "genes.npy"), genes)
    flat = genes.reshape(genes.shape[0], -1).astype(np.float64)
    g = flat.shape[0]
    rho = np.empty((g, g))
    for i in range(g):
        for j in range(g):
            rho[i, j] = stats.spearmanr(flat[i], flat[j]).correlation
    np.save(os.path.join(OUT, "spearman.npy"), rho)
    zeros = [float(np.mean(f == 0)) for f in flat]
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "seed": SEED, "ties": "average",
                   "fraction_zero": zeros}, f, indent=1)


if __name__ == "__main__":
    main()
