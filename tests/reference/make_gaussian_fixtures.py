#!/usr/bin/python3
"""Generate reference fixtures for SpatialSim.TorchCore.Smoothing.CpuGaussianBlur.

Run with the system Python (needs numpy and scipy):

    /usr/bin/python3 tests/reference/make_gaussian_fixtures.py

Writes into tests/reference/fixtures/gaussian/:
  manifest.json         cases, sizes, sigmas, file names, scipy/numpy versions
  <case>.input.f32      the input image, float32 little-endian, row-major (height x width)
  <case>.s<sigma>[.t<truncate>].f32
                        scipy.ndimage.gaussian_filter(input, sigma, mode='reflect', truncate=...)
                        computed from the float32 input into a float32 output

Inputs are deterministic (fixed seeds), so re-running reproduces the same files
for the same scipy/numpy versions.
"""
import json
import os

import numpy as np
import scipy
from scipy import ndimage

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "gaussian")
SIGMAS = [0.5, 1.0, 2.5, 4.0, 12.0]


def inputs():
    rng = np.random.default_rng(20240611)
    # Sparse Poisson counts, like a binned spatial-transcriptomics raster of one gene.
    yield "poisson_37x53", rng.poisson(0.3, size=(37, 53)).astype(np.float32)
    impulse = np.zeros((16, 16), dtype=np.float32)
    impulse[5, 9] = 1.0
    yield "impulse_16x16", impulse
    # Smaller than the kernel radius at every sigma >= 1: exercises repeated reflection.
    yield "tiny_3x5", rng.normal(size=(3, 5)).astype(np.float32)
    yy, xx = np.mgrid[0:64, 0:48]
    smooth = np.sin(xx / 7.0) * np.cos(yy / 11.0) + 0.01 * xx + 2.0
    yield "smooth_64x48", smooth.astype(np.float32)
    yield "column_9x1", rng.normal(size=(9, 1)).astype(np.float32)


def sigma_tag(s):
    return ("%g" % s).replace(".", "p")


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, img in inputs():
        assert img.dtype == np.float32
        h, w = img.shape
        in_file = f"{name}.input.f32"
        img.astype("<f4").tofile(os.path.join(OUT, in_file))
        runs = [(s, 4.0) for s in SIGMAS]
        if name == "poisson_37x53":
            runs += [(4.0, 2.5), (2.5, 1.0)]
        outputs = []
        for sigma, truncate in runs:
            out = ndimage.gaussian_filter(img, sigma, mode="reflect", truncate=truncate)
            assert out.dtype == np.float32
            tag = f"s{sigma_tag(sigma)}" + ("" if truncate == 4.0 else f".t{sigma_tag(truncate)}")
            out_file = f"{name}.{tag}.f32"
            out.astype("<f4").tofile(os.path.join(OUT, out_file))
            outputs.append({"sigma": sigma, "truncate": truncate, "file": out_file})
        cases.append({"name": name, "width": w, "height": h, "input": in_file, "outputs": outputs})
    manifest = {
        "description": "scipy.ndimage.gaussian_filter references (float32 in, float32 out, mode='reflect'); "
                       "raw little-endian float32, row-major, index = y*width + x",
        "generator": "tests/reference/make_gaussian_fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
