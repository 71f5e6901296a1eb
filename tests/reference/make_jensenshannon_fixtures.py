#!/usr/bin/python3
"""Reference values for the Jensen-Shannon score, Score = 1 - JSD/ln 2 = 1 - d^2 with
d = scipy.spatial.distance.jensenshannon(p, q, base=2) (scipy returns the square root of the divergence).

Run with Debian's Python: /usr/bin/python3 tests/reference/make_jensenshannon_fixtures.py
Needs python3-numpy and python3-scipy. Writes tests/reference/fixtures/jensenshannon/: genes.npy (float32,
genes x H x W count maps, some with disjoint supports), score_sigma0.npy (maps normalised to unit mass as they are)
and score_sigma2.npy (after scipy.ndimage.gaussian_filter, sigma 2, mode 'reflect', truncate 4, in float32 like the
C# blur), both float64 [G, G], and versions.json. The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage
from scipy.spatial import distance

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "jensenshannon")
SEED = 20261128


def make_genes(rng, h=40, w=30):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    blob = np.exp(-((yy - 12) ** 2 + (xx - 10) ** 2) / (2 * 4.0 ** 2))
    arc = np.exp(-((np.hypot(yy - 40, xx - 15) - 22) ** 2) / (2 * 1.5 ** 2))
    shifted = np.roll(blob, (3, 2), axis=(0, 1))
    top = np.where(yy < 10, 1.0, 0.0)
    bottom = np.where(yy >= 30, 1.0, 0.0)
    genes = [rng.poisson(3 * blob), rng.poisson(1.5 * blob), rng.poisson(3 * shifted), rng.poisson(2 * arc),
             rng.poisson(0.05 * np.ones((h, w))), 3 * top, 2 * bottom]  # the last two: disjoint supports
    return np.stack(genes).astype(np.float32)


def scores(maps):
    g = maps.shape[0]
    s = np.empty((g, g))
    for i in range(g):
        for j in range(g):
            d = distance.jensenshannon(maps[i].ravel().astype(np.float64), maps[j].ravel().astype(np.float64), base=2)
            s[i, j] = 1 - d ** 2
    return s


def main():
    rng = np.random.default_rng(SEED)
    genes = make_genes(rng)
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "genes.npy"), genes)
    np.save(os.path.join(OUT, "score_sigma0.npy"), scores(genes))
    smoothed = np.stack([ndimage.gaussian_filter(g, sigma=2.0, mode="reflect", truncate=4.0) for g in genes])
    np.save(os.path.join(OUT, "score_sigma2.npy"), scores(np.clip(smoothed, 0, None)))
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "seed": SEED, "base": 2,
                   "score": "1 - jensenshannon(p, q, base=2)**2", "sigmas": [0, 2.0]}, f, indent=1)


if __name__ == "__main__":
    main()
