#!/usr/bin/python3
"""Reference values for pixel Pearson and smoothed Pearson (all pairs).

Run with Debian's Python: /usr/bin/python3 tests/reference/make_correlation_fixtures.py
Needs python3-numpy and python3-scipy (apt-get install python3-scipy). Writes
tests/reference/fixtures/correlation/: genes.npy (float32, genes × H × W), pearson.npy and
smoothed_pearson_sigma2.npy (float64 correlation matrices), and versions.json.
The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "correlation")


def make_genes(rng, h=40, w=30):
    """Sparse clustered count maps: two genes share a blob, one is a shifted copy, one is a thin arc, one is noise."""
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 12) ** 2 + (xx - 10) ** 2) / (2 * 4.0 ** 2))
    arc = np.exp(-((np.hypot(yy - 40, xx - 15) - 22) ** 2) / (2 * 1.5 ** 2))
    shifted = np.roll(blob, (3, 2), axis=(0, 1))
    rates = [3 * blob, 1.5 * blob, 3 * shifted, 2 * arc, 0.05 * np.ones((h, w)), 2 * arc + blob]
    return np.stack([rng.poisson(r).astype(np.float32) for r in rates])


def main():
    rng = np.random.default_rng(20261125)
    genes = make_genes(rng)
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "genes.npy"), genes)
    flat = genes.reshape(genes.shape[0], -1).astype(np.float64)
    np.save(os.path.join(OUT, "pearson.npy"), np.corrcoef(flat))
    smoothed = np.stack([ndimage.gaussian_filter(g, sigma=2.0, mode="reflect", truncate=4.0) for g in genes])
    np.save(os.path.join(OUT, "smoothed_pearson_sigma2.npy"), np.corrcoef(smoothed.reshape(genes.shape[0], -1).astype(np.float64)))
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "seed": 20261125, "sigma": 2.0}, f, indent=1)


if __name__ == "__main__":
    main()
