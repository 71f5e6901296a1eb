#!/usr/bin/python3
"""Reference values for average-linkage (UPGMA) clustering, leaf order and flat cuts.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_cluster_fixtures.py
Needs python3-numpy and python3-scipy. Writes tests/reference/fixtures/cluster/<case>.json, each holding
  distance   the square distance matrix clustered,
  Z          scipy.cluster.hierarchy.linkage(squareform(distance), method='average') (rows: left, right, height, size),
  leaves     scipy.cluster.hierarchy.leaves_list(Z),
  maxclust   {k: fcluster(Z, k, criterion='maxclust')} for k = 1..n,
  cuts       [{t, labels: fcluster(Z, t, criterion='distance')}] at heights between and at the merges,
and versions.json. Large cases (large_<name>.json: only Z and leaves, the distances are rebuilt by the test from the same
integer formula): 'large_points' (600 points, Euclidean) and 'large_ties' (500 points on a 12 x 12 grid, Manhattan
distances, very many ties), for the nearest-neighbour chain on condensed distances at scale. Cases: points in the plane (Euclidean, no ties), 1 − Pearson of noisy genes with planted modules,
and integer grid points (Manhattan distances, many ties). The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist, squareform

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "cluster")
SEED = 20261125


def case(name, d):
    d = np.asarray(d, dtype=np.float64)
    n = d.shape[0]
    z = hierarchy.linkage(squareform(d, checks=False), method="average")
    heights = z[:, 2]
    cut_heights = sorted(set([0.0, float(heights[-1]) + 1.0] + [float(h) for h in heights] +
                             [float((a + b) / 2) for a, b in zip(heights[:-1], heights[1:])]))
    out = {
        "distance": d.tolist(),
        "Z": z.tolist(),
        "leaves": hierarchy.leaves_list(z).tolist(),
        "maxclust": {str(k): hierarchy.fcluster(z, k, criterion="maxclust").tolist() for k in range(1, n + 1)},
        "cuts": [{"t": t, "labels": hierarchy.fcluster(z, t, criterion="distance").tolist()} for t in cut_heights],
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(out, f)


def large(name, y):
    z = hierarchy.linkage(y, method="average")
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"Z": z.tolist(), "leaves": hierarchy.leaves_list(z).tolist()}, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)

    points = rng.normal(size=(14, 2)) * [3, 1]
    case("points", squareform(pdist(points)))

    # 24 "genes" of 400 pixels: 3 planted modules of 6 sharing a hidden pattern plus noise, and 6 pure-noise genes.
    hidden = rng.normal(size=(3, 400))
    genes = [hidden[m] * rng.uniform(0.6, 1.5) + rng.normal(scale=rng.uniform(0.5, 1.2), size=400) for m in range(3) for _ in range(6)]
    genes += [rng.normal(size=400) for _ in range(6)]
    order = rng.permutation(len(genes))
    r = np.corrcoef(np.array(genes)[order])
    d = 1 - r
    np.fill_diagonal(d, 0)
    d = (d + d.T) / 2
    case("correlation", d)

    grid = rng.integers(0, 4, size=(10, 2))
    grid = np.unique(grid, axis=0)
    case("ties", squareform(pdist(grid, metric="cityblock")))

    # Points from integer formulas the C# test repeats exactly (sqrt and abs are exact in IEEE arithmetic).
    n = 600
    pts = np.array([[(i * 7919) % 1009, (i * 104729) % 997] for i in range(n)], dtype=np.float64)
    large("large_points", pdist(pts))
    n = 500
    grid = np.array([[(i * 37) % 12, (i * 53 + i // 7) % 12] for i in range(n)], dtype=np.float64)
    large("large_ties", pdist(grid, metric="cityblock"))

    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "seed": SEED}, f, indent=1)


if __name__ == "__main__":
    main()
