#!/usr/bin/python3
"""Exact W2² of near-identical map pairs, for the Sinkhorn measure's accuracy where the distance is small against ε.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_sinkhorn_near_fixtures.py
Needs python3-numpy and python3-pot (about a minute: ot.emd2 on up to 4,096 non-zero pixels).
Writes tests/reference/fixtures/sinkhorn/near/:
  <name>.npy       float32 [2, n, n]: one map and a near-identical second map, of these kinds:
                   subpixel   a smooth map (a sum of Gaussian blobs on a low background) and the same function sampled at
                              positions moved by a fraction of a pixel;
                   perturbed  a smooth map and the same map times (1 + small uniform noise);
                   noisy      one smooth pattern with independent uniform noise added to each map (as the benchmark's
                              'maps' inputs, but of one pattern);
                   replicate  two Poisson samples of one sparse rate (a gene measured twice): sparse counts, mostly zeros;
                   jitter     sparse counts and the same counts with a fraction of the molecules moved by one pixel;
                   blobshift  one Gaussian blob and its copy moved by a tenth of a pixel (a distance of 0.01-0.02 px²).
  reference.json   per file: "size", "kind", "emd2" = the exact W2² in px² (ot.emd2 with the cost
                   ot.dist(..., 'sqeuclidean') between pixel centres, on the pixels of non-zero mass), "nonzero" = the
                   non-zero pixels of each map.
Maps are normalised to unit mass in float64 before ot.emd2, as SpatialSim does. The test suite reads these files; it
never runs Python.
"""
import json
import os

import numpy as np
import ot

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "sinkhorn", "near")
SEED = 20260315


def blobs(rng, n, count=4):
    """A smooth rate: Gaussian blobs (centre, radius, amplitude) over a low background, as a function of (y, x)."""
    params = [(rng.uniform(0.15 * n, 0.85 * n), rng.uniform(0.15 * n, 0.85 * n), rng.uniform(n / 14, n / 6), rng.uniform(0.5, 2))
              for _ in range(count)]

    def rate(yy, xx):
        m = 0.05 + np.zeros_like(yy)
        for cy, cx, r, amp in params:
            m += amp * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        return m

    return rate


def grid(n):
    return np.mgrid[0:n, 0:n].astype(np.float64)


def subpixel(rng, n, dy, dx):
    yy, xx = grid(n)
    rate = blobs(rng, n)
    return np.stack([rate(yy, xx), rate(yy - dy, xx - dx)])


def perturbed(rng, n, amplitude):
    yy, xx = grid(n)
    m = blobs(rng, n)(yy, xx)
    return np.stack([m, m * (1 + amplitude * (rng.uniform(size=(n, n)) - 0.5))])


def noisy(rng, n, noise):
    yy, xx = grid(n)
    m = blobs(rng, n)(yy, xx)
    m = 0.1 + 0.8 * m / m.max()
    return np.stack([np.clip(m + noise * (rng.uniform(size=(n, n)) - 0.5), 0, 1) for _ in range(2)])


def sparse_rate(rng, n, density):
    yy, xx = grid(n)
    m = blobs(rng, n, count=3)(yy, xx) - 0.05
    return density * m / m.mean()


def replicate(rng, n, density):
    rate = sparse_rate(rng, n, density)
    return np.stack([rng.poisson(rate), rng.poisson(rate)])


def jitter(rng, n, density, fraction):
    counts = rng.poisson(sparse_rate(rng, n, density))
    moved = counts.copy()
    ys, xs = np.nonzero(counts)
    for y, x in zip(ys, xs):
        for _ in range(counts[y, x]):
            if rng.uniform() < fraction:
                dy, dx = [(0, 1), (0, -1), (1, 0), (-1, 0)][rng.integers(4)]
                ty, tx = min(max(y + dy, 0), n - 1), min(max(x + dx, 0), n - 1)
                moved[y, x] -= 1
                moved[ty, tx] += 1
    return np.stack([counts, moved])


def blobshift(n, dy, dx, sigma):
    yy, xx = grid(n)
    c = n / 2 - 0.5
    return np.stack([np.exp(-((yy - c) ** 2 + (xx - c) ** 2) / (2 * sigma ** 2)),
                     np.exp(-((yy - c - dy) ** 2 + (xx - c - dx) ** 2) / (2 * sigma ** 2))])


def emd2(maps):
    n = maps.shape[1]
    a, b = (m.astype(np.float64).ravel() / m.astype(np.float64).sum() for m in maps)
    pixels = np.indices((n, n)).reshape(2, -1).T.astype(np.float64)
    ia, ib = a > 0, b > 0  # pixels without mass carry nothing: the exact problem on the supports is the same problem
    return float(ot.emd2(a[ia], b[ib], ot.dist(pixels[ia], pixels[ib], metric="sqeuclidean"), numItermax=100_000_000))


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(OUT, exist_ok=True)
    cases = {
        "subpixel32.npy": ("subpixel", subpixel(rng, 32, 0.3, -0.2)),
        "subpixel48.npy": ("subpixel", subpixel(rng, 48, 0.5, 0.25)),
        "subpixel64.npy": ("subpixel", subpixel(rng, 64, -0.7, 0.4)),
        "perturbed32.npy": ("perturbed", perturbed(rng, 32, 0.1)),
        "perturbed48.npy": ("perturbed", perturbed(rng, 48, 0.2)),
        "noisy32.npy": ("noisy", noisy(rng, 32, 0.1)),
        "noisy48.npy": ("noisy", noisy(rng, 48, 0.1)),
        "replicate32.npy": ("replicate", replicate(rng, 32, 0.3)),
        "replicate48.npy": ("replicate", replicate(rng, 48, 0.1)),
        "jitter48.npy": ("jitter", jitter(rng, 48, 0.2, 0.2)),
        "blobshift32.npy": ("blobshift", blobshift(32, 0.1, 0.05, 3.0)),
        # Larger canvases, where the automatic ε is above 1 px² (4 px² at 128², 16 px² at 256²): sparse, so ot.emd2 stays small.
        "replicate128.npy": ("replicate", replicate(rng, 128, 0.05)),
        "jitter128.npy": ("jitter", jitter(rng, 128, 0.05, 0.2)),
        "replicate256.npy": ("replicate", replicate(rng, 256, 0.03)),
    }
    result = {"numpy": np.__version__, "pot": ot.__version__, "seed": SEED}
    for name, (kind, maps) in cases.items():
        maps = maps.astype(np.float32)
        np.save(os.path.join(OUT, name), maps)
        result[name] = {"size": maps.shape[1], "kind": kind, "emd2": emd2(maps),
                        "nonzero": [int(np.count_nonzero(m)) for m in maps]}
        print(name, result[name], flush=True)
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
