#!/usr/bin/python3
"""Reference values for Lee's L (LeeL) and bivariate Moran's I (MoranBV) from R spdep.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_spatialstats_fixtures.py
Needs python3-numpy and R with r-cran-spdep (apt-get install r-cran-spdep); the R part is
make_spatialstats_fixtures.R next to this script, run through Rscript. Writes
tests/reference/fixtures/spatialstats/, for the grids "12x10" (H=12 rows, W=10 columns) and "15x20":
  genes_<grid>.npy               float32 [G, H, W] count maps
  lee_<grid>_<w>.npy             float64 [G, G]: spdep lee(x=gene i, y=gene j, listw, n)$L
  moranbv_<grid>_<w>.npy         float64 [G, G]: spdep moran_bv(x=gene i, y=gene j, listw, nsim)$t0,
                                 i.e. sum(scale(x) * lag(scale(y))) / sum(scale(x)^2) (lag of gene j)
  lag_<grid>_<w>.npy             float64 [H, W]: lag.listw(listw, gene 0) (row-standardised spatial lag)
with weights <w> = queen, rook (cell2nb), gauss1 and gauss2 (Gaussian kernel, sigma 1 and 2 pixels, square
support |drow|,|dcol| <= floor(4 sigma + 0.5), cell itself included), all row-standardised (style "W");
and versions.json. The test suite reads these files; it never runs Python or R.
"""
import csv
import json
import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "spatialstats")
SEED = 20261126
GRIDS = {"12x10": (12, 10), "15x20": (15, 20)}
SIGMAS = [1, 2]
WEIGHTS = ["queen", "rook"] + [f"gauss{s}" for s in SIGMAS]


def make_genes(rng, h, w):
    """Five maps: a blob, a weaker copy of it, a shifted copy, a diagonal band, continuous noise on a gradient."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    blob = np.exp(-((yy - 0.35 * h) ** 2 + (xx - 0.4 * w) ** 2) / (2 * (0.2 * min(h, w)) ** 2))
    shifted = np.roll(blob, (2, 1), axis=(0, 1))
    band = np.exp(-((yy - xx * h / w) ** 2) / (2 * 1.5 ** 2))
    genes = [rng.poisson(6 * blob), rng.poisson(2 * blob), rng.poisson(6 * shifted), rng.poisson(4 * band),
             (xx / w + rng.gamma(2.0, 0.5, size=(h, w)))]
    return np.stack(genes).astype(np.float32)


def run_r(genes, h, w):
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "genes.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            for g in genes.reshape(genes.shape[0], -1):
                writer.writerow([repr(float(v)) for v in g])
        subprocess.run(["Rscript", os.path.join(HERE, "make_spatialstats_fixtures.R"), tmp, str(h), str(w)]
                       + [str(s) for s in SIGMAS], check=True)
        load = lambda name: np.loadtxt(os.path.join(tmp, name), delimiter=",", dtype=np.float64, ndmin=1)
        results = {}
        for wname in WEIGHTS:
            results[f"lee_{wname}"] = load(f"lee_{wname}.csv").reshape(genes.shape[0], genes.shape[0])
            results[f"moranbv_{wname}"] = load(f"moranbv_{wname}.csv").reshape(genes.shape[0], genes.shape[0])
            results[f"lag_{wname}"] = load(f"lag_{wname}.csv").reshape(h, w)
        with open(os.path.join(tmp, "versions.csv")) as f:
            versions = dict(line.strip().split(",", 1) for line in f if line.strip())
    return results, versions


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(OUT, exist_ok=True)
    versions = {}
    for grid, (h, w) in GRIDS.items():
        genes = make_genes(rng, h, w)
        np.save(os.path.join(OUT, f"genes_{grid}.npy"), genes)
        results, versions = run_r(genes, h, w)
        for name, value in results.items():
            np.save(os.path.join(OUT, f"{name.split('_')[0]}_{grid}_{name.split('_', 1)[1]}.npy"), value)
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, **versions, "seed": SEED, "grids": GRIDS, "weights": WEIGHTS,
                   "gaussian_sigmas": SIGMAS, "gaussian_truncate": 4.0, "style": "W"}, f, indent=1)


if __name__ == "__main__":
    main()
