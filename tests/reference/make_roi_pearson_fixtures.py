#!/usr/bin/python3
"""Reference values for RoiPearson (Pearson correlation inside the union of the genes' peak regions).

Run with Debian's Python: /usr/bin/python3 tests/reference/make_roi_pearson_fixtures.py
Needs python3-numpy, python3-scipy and python3-skimage. Writes tests/reference/fixtures/roi_pearson/:

  genes.npy        float32 [6, 40, 44]: count maps (blob, 1.5x blob, shifted blob, arc, sparse noise, arc + blob)
  thresholds.npy   float64 [len(SETTINGS), 6]: each gene's threshold t for each setting
  roi_pixels.npy   float64 [len(SETTINGS), 6]: pixels in each gene's peak region
  scores.npy       float64 [len(SETTINGS), 6, 6]: the score for every pair
  values.npy       float32 [1, 1200]: values with ties, for Otsu / quantile alone
  values_expected.npy float64 [1, 1 + len(QUANTILES)]: threshold_otsu(values.astype(float64)), then
                   np.quantile(values.astype(float64), q) for q in QUANTILES
  versions.json    library versions, parameters, seed

Per gene x: xn = x / max|x| (float32); s = scipy.ndimage.gaussian_filter(xn, sigma, mode='reflect', truncate=4)
(float32); Z = pixels whose (2r+1)^2 window, r = int(4 sigma + 0.5), holds a non-zero pixel of x (asserted equal to
s != 0); t = skimage.filters.threshold_otsu(s[Z] as float64) or np.quantile(s[Z] as float64, q); ROI = Z & (s > t).
Score = np.corrcoef(sa[U], sb[U]) with U = ROI_a | ROI_b, in float64.
All arrays are 2-D or 3-D (the test suite's .npy reader takes those; it converts to float32, so expected values keep
about 7 significant digits).
The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
import skimage
from scipy import ndimage
from skimage.filters import threshold_otsu

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "roi_pearson")
SEED = 20261127
# (sigma, rule, quantile)
SETTINGS = [(2.0, "otsu", 0.9), (2.0, "quantile", 0.9), (3.5, "otsu", 0.9), (1.0, "quantile", 0.75), (0.0, "otsu", 0.9)]
QUANTILES = [0.0, 0.1, 0.5, 0.75, 0.9, 0.95, 1.0]


def make_genes(rng, h=40, w=44):
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 14) ** 2 + (xx - 12) ** 2) / (2 * 4.5 ** 2))
    shifted = np.roll(blob, (3, 4), axis=(0, 1))
    arc = np.exp(-((np.hypot(yy - 44, xx - 20) - 26) ** 2) / (2 * 1.5 ** 2))
    rates = [4 * blob, 6 * blob, 4 * shifted, 3 * arc, 0.06 * np.ones((h, w)), 3 * arc + 2 * blob]
    return np.stack([rng.poisson(r).astype(np.float32) for r in rates])


def prepare(x, sigma, rule, q):
    xn = x / np.abs(x).max()
    assert xn.dtype == np.float32
    s = ndimage.gaussian_filter(xn, sigma, mode="reflect", truncate=4.0) if sigma > 0 else xn.copy()
    r = int(4.0 * sigma + 0.5) if sigma > 0 else 0
    z = ndimage.maximum_filter((x != 0).astype(np.uint8), size=2 * r + 1, mode="reflect") > 0
    assert np.array_equal(z, s != 0), "support differs from the non-zero smoothed pixels"
    values = s[z].astype(np.float64)
    t = threshold_otsu(values) if rule == "otsu" else np.quantile(values, q)
    roi = z & (s > t)
    return s, float(t), roi


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(OUT, exist_ok=True)
    genes = make_genes(rng)
    np.save(os.path.join(OUT, "genes.npy"), genes)
    n = len(genes)
    thresholds = np.zeros((len(SETTINGS), n))
    pixels = np.zeros((len(SETTINGS), n))
    scores = np.zeros((len(SETTINGS), n, n))
    for k, (sigma, rule, q) in enumerate(SETTINGS):
        prepared = [prepare(g, sigma, rule, q) for g in genes]
        for i in range(n):
            thresholds[k, i] = prepared[i][1]
            pixels[k, i] = prepared[i][2].sum()
            for j in range(n):
                union = prepared[i][2] | prepared[j][2]
                a = prepared[i][0][union].astype(np.float64)
                b = prepared[j][0][union].astype(np.float64)
                scores[k, i, j] = np.corrcoef(a, b)[0, 1] if union.sum() > 1 and a.min() < a.max() and b.min() < b.max() else np.nan
    np.save(os.path.join(OUT, "thresholds.npy"), thresholds)
    np.save(os.path.join(OUT, "roi_pixels.npy"), pixels)
    np.save(os.path.join(OUT, "scores.npy"), scores)

    values = np.concatenate([rng.gamma(2.0, 1.0, 900), np.repeat([0.5, 1.25, 3.0], 100)]).astype(np.float32)
    rng.shuffle(values)
    np.save(os.path.join(OUT, "values.npy"), values[None, :])
    v64 = values.astype(np.float64)
    np.save(os.path.join(OUT, "values_expected.npy"), np.array([[threshold_otsu(v64)] + [np.quantile(v64, q) for q in QUANTILES]]))

    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "skimage": skimage.__version__, "seed": SEED,
                   "settings": [dict(zip(["sigma", "threshold", "quantile"], s)) for s in SETTINGS],
                   "quantiles": QUANTILES, "otsu_bins": 256}, f, indent=1)


if __name__ == "__main__":
    main()
