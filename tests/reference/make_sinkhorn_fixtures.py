#!/usr/bin/python3
"""Reference values for the Sinkhorn measure (src/TorchCore/Similarity/SinkhornSimilarity.cs), made with POT.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_sinkhorn_fixtures.py
Needs python3-numpy and python3-pot (takes a few minutes: ot.emd2 on 64² maps and tightly converged ot.sinkhorn).
Writes tests/reference/fixtures/sinkhorn/:
  maps32.npy, maps64.npy   float32 [2, n, n] pairs of smooth maps with noise (like the benchmark's 'maps' inputs)
  sparse32.npy             float32 [2, 32, 32] Poisson count maps, mostly zeros (masses of 0 in the log domain)
  sparse128.npy            float32 [2, 128, 128] gene-like counts (about 5% non-zero pixels, blobs and a curved band
                           placed differently in the two maps), exact emd2 only (on the non-zero pixels)
  reference.json           per file: "emd2" the exact W2² (ot.emd2, cost ot.dist(..., 'sqeuclidean') between pixel
                           centres in pixels²), and at "epsilon" (px²): "sinkhorn2" = <P, M> of POT's entropic plan
                           (ot.sinkhorn2), and "ot_eps_ab", "ot_eps_aa", "ot_eps_bb" = OT_eps = <P, M> + eps KL(P | a x b)
                           of the plan of ot.sinkhorn(stopThr=1e-10) for (a, b), (a, a), (b, b),
                           and "divergence" = ot_eps_ab - (ot_eps_aa + ot_eps_bb) / 2 (Feydy et al. 2019); the
                           entropic values for the 32² maps only (dense log-domain POT on 64² would take hours).
Maps are normalised to unit mass in float64. The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import ot

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "sinkhorn")
SEED = 20261125
EPSILON = 1.0


def smooth_maps(rng, n, noise=0.1):
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    maps = []
    for _ in range(2):
        m = 0.05 + np.zeros((n, n))
        for _ in range(4):
            cy, cx = rng.uniform(0, n, 2)
            r = rng.uniform(n / 16, n / 6)
            m += rng.uniform(0.5, 2) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        maps.append(np.clip(0.1 + 0.8 * m / m.max() + noise * (rng.uniform(size=(n, n)) - 0.5), 0, 1))
    return np.stack(maps).astype(np.float32)


def sparse_maps(rng, n=32):
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    rate_a = 3 * np.exp(-((yy - 10) ** 2 + (xx - 12) ** 2) / (2 * 3.0 ** 2))
    rate_b = 2 * np.exp(-((yy - 20) ** 2 + (xx - 18) ** 2) / (2 * 4.0 ** 2))
    return np.stack([rng.poisson(rate_a), rng.poisson(rate_b)]).astype(np.float32)


def gene_like_maps(rng, n=128):
    """Sparse counts like one Stereo-seq gene: a few blobs plus a thin curved band, 0-3 counts, ~5% non-zero."""
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    maps = []
    for _ in range(2):
        rate = np.zeros((n, n))
        for _ in range(3):
            cy, cx = rng.uniform(0.15 * n, 0.85 * n, 2)
            r = rng.uniform(n / 24, n / 10)
            rate += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        radius, cy, cx = rng.uniform(0.3 * n, 0.45 * n), rng.uniform(0.4 * n, 0.6 * n), rng.uniform(0.4 * n, 0.6 * n)
        rate += 1.5 * np.exp(-(np.hypot(yy - cy, xx - cx) - radius) ** 2 / 8.0)
        p = 0.05 * rate / rate.mean()
        u = rng.uniform(size=(n, n))
        maps.append(np.where(u < p / 16, 3, np.where(u < p / 4, 2, np.where(u < p, 1, 0))))
    return np.stack(maps).astype(np.float32)


def supports(a, b, cost):
    """a, b and the cost restricted to the pixels of non-zero mass (POT divides by the masses)."""
    ia, ib = a > 0, b > 0
    return a[ia], b[ib], cost[np.ix_(ia, ib)]


def entropic(a, b, cost, eps):
    """OT_eps(a, b) = <P, M> + eps KL(P | a x b) of POT's plan, on the supports of a and b."""
    a, b, cost = supports(a, b, cost)
    plan = ot.sinkhorn(a, b, cost, eps, numItermax=1_000_000, stopThr=1e-10)
    positive = plan > 0
    kl = np.sum(plan[positive] * np.log(plan[positive] / np.outer(a, b)[positive]))
    return float(np.sum(plan * cost) + eps * kl)


def reference(maps, with_entropic=True):
    n = maps.shape[1]
    a, b = (m.astype(np.float64).ravel() / m.astype(np.float64).sum() for m in maps)
    pixels = np.indices((n, n)).reshape(2, -1).T.astype(np.float64)
    ia, ib = a > 0, b > 0  # pixels without mass carry nothing: the exact problem on the supports is the same problem
    emd2 = ot.emd2(a[ia], b[ib], ot.dist(pixels[ia], pixels[ib], metric="sqeuclidean"), numItermax=100_000_000)
    result = {"size": n, "epsilon": EPSILON, "emd2": float(emd2)}
    if with_entropic:
        cost = ot.dist(pixels, pixels, metric="sqeuclidean")
        ab, aa, bb = entropic(a, b, cost, EPSILON), entropic(a, a, cost, EPSILON), entropic(b, b, cost, EPSILON)
        result.update({"sinkhorn2": float(ot.sinkhorn2(*supports(a, b, cost), EPSILON, numItermax=1_000_000, stopThr=1e-10)),
                       "ot_eps_ab": ab, "ot_eps_aa": aa, "ot_eps_bb": bb, "divergence": ab - (aa + bb) / 2})
    return result


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(OUT, exist_ok=True)
    inputs = {"maps32.npy": smooth_maps(rng, 32), "maps64.npy": smooth_maps(rng, 64), "sparse32.npy": sparse_maps(rng),
              "sparse128.npy": gene_like_maps(rng)}
    result = {"numpy": np.__version__, "pot": ot.__version__, "seed": SEED}
    for name, maps in inputs.items():
        np.save(os.path.join(OUT, name), maps)
        result[name] = reference(maps, with_entropic=maps.shape[1] <= 32)
        print(name, result[name], flush=True)
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
