#!/usr/bin/python3
"""Reference values for the toroidal-shift significance test of Get-RankedPairs.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_significance_fixtures.py
Needs python3-numpy and python3-scipy. Writes tests/reference/fixtures/significance/:
  (vectors are stored as 1 x k arrays: the test reader wants 2-D or 3-D)
  bh_p.npy, bh_q.npy      p-values (with ties, zeros-free) and their Benjamini-Hochberg q-values:
                          scipy.stats.false_discovery_control(method='bh') when scipy >= 1.11 has it, else
                          the textbook numpy formula q_(k) = min_{l>=k} min(1, m p_(l) / l) (R's p.adjust "BH").
  genes.npy               two float32 count maps (2 x H x W), mask.npy (float32 0/1 tissue)
  shifts.npy              int64 (k x 2) shifts (dy, dx)
  shift_r_plain.npy       Pearson of gaussian_filter(a, 2) and gaussian_filter(b, 2) rolled by -s (whole canvas)
  shift_r_masked.npy      Pearson over the overlap O(s) = mask & roll(mask, -s) of the normalised convolutions
                          gaussian_filter(x*m, 2)/gaussian_filter(m, 2) of a and of b rolled by -s
  versions.json
The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage, stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "significance")
SIGMA = 2.0


def bh_numpy(p):
    p = np.asarray(p, dtype=np.float64)
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def bh(p):
    if hasattr(stats, "false_discovery_control"):
        return stats.false_discovery_control(p, method="bh"), "scipy.stats.false_discovery_control"
    return bh_numpy(p), "numpy formula (scipy < 1.11)"


def smooth(x):
    return ndimage.gaussian_filter(x.astype(np.float64), sigma=SIGMA, mode="reflect", truncate=4.0)


def main():
    rng = np.random.default_rng(20261125)
    os.makedirs(OUT, exist_ok=True)
    # p-values as a permutation test gives them: multiples of 1/(N+1) with ties, plus a few continuous ones.
    p = np.concatenate([rng.integers(1, 100, size=40) / 100.0, rng.uniform(0, 1, size=20) ** 3, [1.0, 0.01, 0.01]])
    q, how = bh(p)
    np.save(os.path.join(OUT, "bh_p.npy"), p.reshape(1, -1))
    np.save(os.path.join(OUT, "bh_q.npy"), np.asarray(q, dtype=np.float64).reshape(1, -1))

    h, w = 36, 44
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 14) ** 2 + (xx - 18) ** 2) / (2 * 5.0 ** 2))
    band = np.exp(-((yy + 0.5 * xx - 30) ** 2) / (2 * 3.0 ** 2))
    a = rng.poisson(3 * blob + 0.3 * band).astype(np.float32)
    b = rng.poisson(2 * blob + 1.0 * band).astype(np.float32)
    mask = ((yy - 18) ** 2 / 16.0 ** 2 + (xx - 22) ** 2 / 20.0 ** 2 <= 1.0).astype(np.float32)
    mask[15:19, 20:24] = 0  # a hole
    np.save(os.path.join(OUT, "genes.npy"), np.stack([a, b]))
    np.save(os.path.join(OUT, "mask.npy"), mask)
    shifts = np.array([[0, 0], [3, 5], [0, 11], [17, 0], [30, 40], [9, 33], [35, 1]], dtype=np.int64)
    np.save(os.path.join(OUT, "shifts.npy"), shifts)

    sa, sb = smooth(a), smooth(b)
    plain = [np.corrcoef(sa.ravel(), np.roll(sb, (-dy, -dx), axis=(0, 1)).ravel())[0, 1] for dy, dx in shifts]
    np.save(os.path.join(OUT, "shift_r_plain.npy"), np.array(plain).reshape(1, -1))

    m = mask > 0
    weight = smooth(mask)
    na = np.where(m, smooth(a * mask) / np.maximum(weight, 1e-12), 0)
    nb = np.where(m, smooth(b * mask) / np.maximum(weight, 1e-12), 0)
    masked = []
    for dy, dx in shifts:
        ms = np.roll(m, (-dy, -dx), axis=(0, 1))
        bs = np.roll(nb, (-dy, -dx), axis=(0, 1))
        o = m & ms
        masked.append(np.corrcoef(na[o], bs[o])[0, 1])
    np.save(os.path.join(OUT, "shift_r_masked.npy"), np.array(masked).reshape(1, -1))
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "bh": how, "seed": 20261125, "sigma": SIGMA}, f, indent=1)


if __name__ == "__main__":
    main()
