#!/usr/bin/python3
"""Reference values for each gene's spatial autocorrelation (univariate Moran's I, Gaussian weights) from R spdep.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_moran_fixtures.py
Needs python3-numpy and R with r-cran-spdep (apt-get install r-cran-spdep); the R part is make_moran_fixtures.R next to
this script, run through Rscript. Writes tests/reference/fixtures/moran/:
  genes.npy    float32 [G, H, W] count maps (H = 14 rows, W = 11 columns)
  mask.npy     float32 [H, W] tissue mask (1 inside)
  moran.json   [{masked, sigma, gene, I, expectation, variance, z, p}]: spdep moran.test(x, listw, randomisation = TRUE,
               alternative = "greater") with Gaussian weights exp(-d^2 / 2 sigma^2) over the square support
               |drow|, |dcol| <= floor(4 sigma + 0.5), self excluded, style "B"; masked: only the inside pixels are sites
  versions.json
The test suite reads these files; it never runs Python or R.
"""
import csv
import json
import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "moran")
SEED = 20261203
H, W = 14, 11
SIGMAS = [1, 2]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    blob = np.exp(-((yy - 4) ** 2 + (xx - 6) ** 2) / (2 * 2.5 ** 2))
    genes = [
        rng.poisson(5 * blob),                         # clustered counts
        rng.poisson(1.0, size=(H, W)),                 # spatially random counts
        (rng.random((H, W)) < 0.08) * rng.integers(1, 4, size=(H, W)),  # sparse counts
        xx / W + yy / H + rng.gamma(2.0, 0.2, size=(H, W)),  # gradient plus (non-negative) noise
        rng.poisson(3 * np.exp(-((yy - xx) ** 2) / 2.0)),   # a diagonal band
    ]
    genes = np.array(genes, dtype=np.float32)
    mask = np.zeros((H, W), dtype=np.float32)
    mask[1:12, 2:10] = 1
    mask[5:8, 4:6] = 0  # a hole
    np.save(os.path.join(OUT, "genes.npy"), genes)
    np.save(os.path.join(OUT, "mask.npy"), mask)
    with tempfile.TemporaryDirectory() as work:
        np.savetxt(os.path.join(work, "genes.csv"), genes.reshape(len(genes), -1).astype(np.float64), delimiter=",", fmt="%.17g")
        np.savetxt(os.path.join(work, "mask.csv"), mask.reshape(1, -1), delimiter=",", fmt="%g")
        subprocess.run(["Rscript", os.path.join(HERE, "make_moran_fixtures.R"), work, str(H), str(W)] + [str(s) for s in SIGMAS], check=True)
        rows = []
        with open(os.path.join(work, "moran.csv")) as f:
            for masked, sigma, gene, i, e, v, z, p in csv.reader(f):
                rows.append({"masked": masked == "1", "sigma": float(sigma), "gene": int(gene), "I": float(i), "expectation": float(e),
                             "variance": float(v), "z": float(z), "p": float(p)})
        with open(os.path.join(work, "versions.csv")) as f:
            versions = dict(line.strip().split(",", 1) for line in f if line.strip())
    with open(os.path.join(OUT, "moran.json"), "w") as f:
        json.dump(rows, f, indent=0)
    versions.update({"numpy": np.__version__, "seed": SEED})
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f, indent=1)


if __name__ == "__main__":
    main()
