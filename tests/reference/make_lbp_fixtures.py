#!/usr/bin/python3
"""Reference values for local binary patterns and the tiled LBP similarity.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_lbp_fixtures.py
Needs python3-numpy and python3-skimage. Writes tests/reference/fixtures/lbp/:

  codes_image.npy   float32 [36, 40]: left half sparse integer counts with plateaus (many exact ties),
                    right half a continuous random field, a constant block across the middle
  codes.npy         float64 [12, 36, 40]: plane 4*k + m is skimage.feature.local_binary_pattern(codes_image, P, R,
                    method) for (P, R) = CONFIGS[k] and method = METHODS[m]; NaN where 'var' is NaN
  genes.npy         float32 [6, 48, 48]: count maps (blob, 1.5x blob, shifted blob, arc, sparse noise, arc + blob)
  similarity.npy    float64 [len(SIMILARITY), 6, 6]: the tiled LBP score (below) for each SIMILARITY setting
  versions.json     library versions, parameters, seed

The similarity is the one documented in src/TorchCore/Similarity/LbpSimilarity.cs, written here in numpy on top
of scikit-image's codes: codes of x / max|x| (float32); background pixels (centre and all P bilinear samples 0)
left out; per-tile normalised code histograms (float32) and tile weights (share of sum |x|, float32);
s_t = 1 - chi2/2 (0 if exactly one tile is empty, skipped if both), Score = sum w_t s_t / sum w_t.
All arrays are 2-D or 3-D (the test suite's .npy reader takes those), and the reader converts to float32: integer
codes (< 2^24) stay exact, float64 scores and variances keep about 7 significant digits.
The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import skimage
from skimage.feature import local_binary_pattern

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "lbp")
SEED = 20261126
CONFIGS = [(8, 1.0), (16, 2.0), (24, 8.0)]
METHODS = ["default", "ror", "uniform", "var"]
# (P, R, method, tiles, weighted, var_bins)
SIMILARITY = [
    (24, 8.0, "uniform", 4, True, 16),   # the defaults
    (8, 1.0, "uniform", 4, True, 16),
    (16, 2.0, "uniform", 1, False, 16),
    (8, 1.0, "ror", 2, True, 16),
    (8, 2.0, "default", 3, True, 16),
    (8, 2.0, "var", 4, True, 16),
    (12, 3.0, "var", 2, False, 8),
]


def codes_image(rng, h=36, w=40):
    left = rng.poisson(rng.gamma(0.4, 2.0, (h, w // 2))).astype(np.float32)
    left[5:12, 3:9] = 2.0                      # plateau
    right = rng.random((h, w - w // 2)).astype(np.float32) * 5
    img = np.concatenate([left, right], axis=1)
    img[20:26, 14:28] = 3.0                     # constant block across both halves
    return img


def make_genes(rng, h=48, w=48):
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 16) ** 2 + (xx - 14) ** 2) / (2 * 5.0 ** 2))
    shifted = np.roll(blob, (4, 3), axis=(0, 1))
    arc = np.exp(-((np.hypot(yy - 50, xx - 20) - 28) ** 2) / (2 * 1.5 ** 2))
    rates = [4 * blob, 6 * blob, 4 * shifted, 3 * arc, 0.08 * np.ones((h, w)), 3 * arc + 2 * blob]
    return np.stack([rng.poisson(r).astype(np.float32) for r in rates])


def sample_points(image, P, R):
    """The P bilinear samples of every pixel, exactly as skimage's _local_binary_pattern forms them."""
    R = float(np.float32(R))                   # the Cython signature takes `float R`
    rp = np.round(-R * np.sin(2 * np.pi * np.arange(P, dtype=np.double) / P), 5)
    cp = np.round(R * np.cos(2 * np.pi * np.arange(P, dtype=np.double) / P), 5)
    h, w = image.shape
    img = image.astype(np.float64)
    rows = np.arange(h, dtype=np.float64)[:, None]
    cols = np.arange(w, dtype=np.float64)[None, :]

    def pixel(r, c):
        inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
        return np.where(inside, img[np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)], 0.0)

    samples = []
    for i in range(P):
        r = rows + rp[i]
        c = cols + cp[i]
        minr, maxr = np.floor(r).astype(int), np.ceil(r).astype(int)
        minc, maxc = np.floor(c).astype(int), np.ceil(c).astype(int)
        minr, maxr = np.broadcast_to(minr, (h, w)), np.broadcast_to(maxr, (h, w))
        minc, maxc = np.broadcast_to(minc, (h, w)), np.broadcast_to(maxc, (h, w))
        dr = np.broadcast_to(r - np.floor(r), (h, w))
        dc = np.broadcast_to(c - np.floor(c), (h, w))
        top = (1 - dc) * pixel(minr, minc) + dc * pixel(minr, maxc)
        bottom = (1 - dc) * pixel(maxr, minc) + dc * pixel(maxr, maxc)
        samples.append((1 - dr) * top + dr * bottom)
    return np.stack(samples)


def necklace_index(P):
    index = -np.ones(1 << P, dtype=np.int64)
    n = 0
    for v in range(1 << P):
        rotations = [((v >> k) | (v << (P - k))) & ((1 << P) - 1) for k in range(P)]
        if min(rotations) == v:
            index[v] = n
            n += 1
    return index, n


def var_bin(v, bins):
    out = np.zeros(v.shape, dtype=np.int64)
    ok = v > 0                                  # NaN (flat) and v <= 0 -> bin 0
    pos = ((np.log10(v[ok]) - (-10.0)) / 10.0) * bins
    out[ok] = np.clip(np.where(pos > 0, np.floor(pos), 0), 0, bins - 1).astype(np.int64)
    return out


def descriptor(x, P, R, method, tiles, var_bins):
    h, w = x.shape
    xn = x / np.abs(x).max()                    # float32 / float32 -> float32
    assert xn.dtype == np.float32
    codes = local_binary_pattern(xn, P, R, method)
    samples = sample_points(xn, P, R)
    if method == "var":                          # our sampler reproduces skimage's samples
        total = np.zeros(x.shape)
        squares = np.zeros(x.shape)
        for t in samples:                        # sequential sums, as skimage's loop
            total += t
            squares += t * t
        var = (squares - (total * total) / P) / P
        assert np.array_equal(np.where(var != 0, var, np.nan), codes, equal_nan=True)
    background = (xn == 0) & np.all(samples == 0, axis=0)
    if method == "uniform":
        bins, b = P + 2, codes.astype(np.int64)
    elif method == "default":
        bins, b = 1 << P, codes.astype(np.int64)
    elif method == "ror":
        index, bins = necklace_index(P)
        b = index[codes.astype(np.int64)]
        assert (b >= 0).all()
    else:
        bins, b = var_bins, var_bin(codes, var_bins)
    ty = (np.arange(h) * tiles) // h
    tx = (np.arange(w) * tiles) // w
    tile = ty[:, None] * tiles + tx[None, :]
    hist = np.zeros((tiles * tiles, bins), dtype=np.float32)
    mass = np.zeros(tiles * tiles)
    absx = np.abs(x.astype(np.float64))
    for t in range(tiles * tiles):
        mass[t] = absx[tile == t].sum()
        sel = (tile == t) & ~background
        counts = np.bincount(b[sel], minlength=bins).astype(np.float64)
        if counts.sum() > 0:
            hist[t] = (counts / counts.sum()).astype(np.float32)
    weights = (mass / mass.sum()).astype(np.float32)
    return hist, weights


def score(da, db, weighted):
    ha, wa = da
    hb, wb = db
    num = den = 0.0
    for t in range(ha.shape[0]):
        a, b = ha[t].astype(np.float64), hb[t].astype(np.float64)
        ea, eb = a.sum() == 0, b.sum() == 0
        if ea and eb:
            continue
        if ea or eb:
            s = 0.0
        else:
            keep = (a + b) > 0
            chi = np.sum((a[keep] - b[keep]) ** 2 / (a[keep] + b[keep]))
            s = min(max(1 - 0.5 * chi, 0.0), 1.0)
        wt = 0.5 * (float(wa[t]) + float(wb[t])) if weighted else 1.0
        num += wt * s
        den += wt
    return num / den if den > 0 else np.nan


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(OUT, exist_ok=True)

    img = codes_image(rng)
    np.save(os.path.join(OUT, "codes_image.npy"), img)
    codes = np.stack([local_binary_pattern(img, P, R, m) for P, R in CONFIGS for m in METHODS])
    np.save(os.path.join(OUT, "codes.npy"), codes.astype(np.float64))

    genes = make_genes(rng)
    np.save(os.path.join(OUT, "genes.npy"), genes)
    result = np.zeros((len(SIMILARITY), len(genes), len(genes)))
    for k, (P, R, method, tiles, weighted, var_bins) in enumerate(SIMILARITY):
        desc = [descriptor(g, P, R, method, tiles, var_bins) for g in genes]
        for i in range(len(genes)):
            for j in range(len(genes)):
                result[k, i, j] = score(desc[i], desc[j], weighted)
    np.save(os.path.join(OUT, "similarity.npy"), result)

    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "skimage": skimage.__version__, "seed": SEED,
                   "codes_configs": CONFIGS, "codes_methods": METHODS,
                   "similarity": [dict(zip(["points", "radius", "method", "tiles", "weighted", "var_bins"], s)) for s in SIMILARITY]},
                  f, indent=1)


if __name__ == "__main__":
    main()
