#!/usr/bin/python3
"""Reference values for SSIM (Wang et al. 2004) and MS-SSIM (Wang, Simoncelli & Bovik 2003).

Run with Debian's Python: /usr/bin/python3 tests/reference/make_ssim_fixtures.py
Needs python3-numpy, python3-scipy and python3-skimage (no pip). Writes tests/reference/fixtures/ssim/:

  genes.npy              float32 [7, 64, 48]  small sparse count maps (see make_genes)
  ssim_full.npy          float64 [7, 7]  skimage structural_similarity(a/a.max(), b/b.max(), gaussian_weights=True,
                                         sigma=1.5, use_sample_covariance=False, data_range=1)
  ssim_meanstd.npy       float64 [7, 7]  the same on z-scores (x - mean) / std (population std), data_range=1
  ssim_structure.npy     float64 [7, 7]  mean over the cropped region of s = (σab + C3) / (σa σb + C3), C3 = C2/2
  ssim_cs.npy            float64 [7, 7]  mean over the cropped region of cs = (2σab + C2) / (σa² + σb² + C2)
  msssim_small_s2.npy    float64 [7, 7]  MS-SSIM with 2 scales on genes.npy
  big.npy                float32 [200, 200] one richer count map for MS-SSIM
  msssim_big.npy         float64 [1, 5]  MS-SSIM (5 scales) of big against: big, roll(big, (7, -5)), flipud(big), big.T,
                                      and roll(big, (7, -5)) against flipud(big)
  msssim_big_s3.npy      float64 [1, 5]  the same pairs with 3 scales
  msssim_big_meanstd.npy float64 [1, 5]  the same pairs, 5 scales, z-score normalisation
  versions.json

SSIM pieces follow skimage 0.19 exactly: scipy.ndimage.gaussian_filter(sigma=1.5, truncate=3.5, mode='reflect')
(an 11-tap window), population covariance, and the mean taken after cropping (win_size - 1) / 2 = 5 pixels on
every border. The structure, cs and MS-SSIM references are our own numpy code built on the same filtering and
checked here against skimage's full SSIM. Variances are clamped at 0 before the square root (structure term).

MS-SSIM (our conventions, as in the C# code): M scales with the paper's weights (first M of
0.0448, 0.2856, 0.3001, 0.2363, 0.1333, renormalised to sum 1); scale 1 is the normalised map; between scales
a 2x2 average pool with stride 2, an odd last row/column being paired with itself (MATLAB msssim.m's
'symmetric' imfilter + [1:2:end], TF's symmetric pad + VALID avg_pool), so a side n becomes ceil(n/2);
score = l_M^{w_M} * prod_j max(cs_j, 0)^{w_j}, l_M clamped at 0 too, where cs_j and l_M are means over the
cropped region of the cs and luminance maps (the paper's product of means; pytorch-msssim and TF use the mean
of l*cs at the coarsest scale instead). All scales use the constants of data range 1 (the finest-scale
normalisation). The MS-SSIM reference runs in float64 throughout.
"""
import json
import os

import numpy as np
import scipy
import skimage
from scipy import ndimage
from skimage.metrics import structural_similarity

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "ssim")
SEED = 20261126
SIGMA, TRUNCATE, K1, K2 = 1.5, 3.5, 0.01, 0.03
WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
RADIUS = int(TRUNCATE * SIGMA + 0.5)  # 5: window 11, crop 5


def make_genes(rng, h=64, w=48):
    """0-1: the same blob at two rates; 2: it shifted by (4, 3); 3: a thin arc; 4: arc + blob;
    5: one small dot on a large empty background; 6: dense noise with a gradient (no empty background)."""
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 20) ** 2 + (xx - 16) ** 2) / (2 * 4.0 ** 2)) + 0.7 * np.exp(-((yy - 44) ** 2 + (xx - 30) ** 2) / (2 * 3.0 ** 2))
    shifted = np.roll(blob, (4, 3), axis=(0, 1))
    arc = np.exp(-((np.hypot(yy - 64, xx - 20) - 30) ** 2) / (2 * 1.2 ** 2))
    dot = np.exp(-((yy - 54) ** 2 + (xx - 8) ** 2) / (2 * 1.5 ** 2))
    dense = 2 + 3 * xx / w + np.sin(yy / 5.0)
    rates = [6 * blob, 2 * blob, 6 * shifted, 4 * arc, 4 * arc + 3 * blob, 5 * dot, dense]
    return np.stack([rng.poisson(r).astype(np.float32) for r in rates])


def make_big(rng, n=200):
    yy, xx = np.mgrid[0:n, 0:n]
    blobs = 5 * np.exp(-((yy - 60) ** 2 + (xx - 70) ** 2) / (2 * 12.0 ** 2)) + 3 * np.exp(-((yy - 150) ** 2 + (xx - 40) ** 2) / (2 * 6.0 ** 2))
    arc = 4 * np.exp(-((np.hypot(yy - 230, xx - 120) - 110) ** 2) / (2 * 2.0 ** 2))
    return rng.poisson(blobs + arc + 0.02).astype(np.float32)


def gauss(x):
    return ndimage.gaussian_filter(x, sigma=SIGMA, truncate=TRUNCATE, mode="reflect")


def crop_mean(m):
    return m[RADIUS:-RADIUS, RADIUS:-RADIUS].mean(dtype=np.float64)


def moments(a, b):
    """Local means, variances and covariance with skimage's filtering, in the dtype of the inputs."""
    ua, ub = gauss(a), gauss(b)
    uaa, ubb, uab = gauss(a * a), gauss(b * b), gauss(a * b)
    f = lambda t: t.astype(np.float64)
    ua, ub, uaa, ubb, uab = map(f, (ua, ub, uaa, ubb, uab))
    return ua, ub, uaa - ua * ua, ubb - ub * ub, uab - ua * ub


def terms(a, b, data_range=1.0):
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    c3 = c2 / 2
    ua, ub, va, vb, cab = moments(a, b)
    lum = (2 * ua * ub + c1) / (ua ** 2 + ub ** 2 + c1)
    cs = (2 * cab + c2) / (va + vb + c2)
    s = (cab + c3) / (np.sqrt(np.maximum(va, 0) * np.maximum(vb, 0)) + c3)
    return lum, cs, s


def by_max(x):
    return x / x.max()


def by_zscore(x):
    x64 = x.astype(np.float64)
    return ((x64 - x64.mean()) / x64.std()).astype(np.float32)


def skimage_ssim(a, b):
    return structural_similarity(a, b, gaussian_weights=True, sigma=SIGMA, use_sample_covariance=False, data_range=1)


def downsample(x):
    """2x2 average pool, stride 2; an odd last row/column is paired with itself (side n -> ceil(n/2))."""
    if x.shape[0] % 2:
        x = np.concatenate([x, x[-1:, :]], axis=0)
    if x.shape[1] % 2:
        x = np.concatenate([x, x[:, -1:]], axis=1)
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def ms_ssim(a, b, scales=5, normalise=by_max):
    a = normalise(a).astype(np.float64)
    b = normalise(b).astype(np.float64)
    w = WEIGHTS[:scales] / WEIGHTS[:scales].sum()
    score = 1.0
    for j in range(scales):
        lum, cs, _ = terms(a, b)
        score *= max(crop_mean(cs), 0.0) ** w[j]
        if j == scales - 1:
            score *= max(crop_mean(lum), 0.0) ** w[j]
        else:
            a, b = downsample(a), downsample(b)
    return score


def main():
    rng = np.random.default_rng(SEED)
    genes = make_genes(rng)
    big = make_big(rng)
    n = len(genes)
    full, meanstd, structure, csm, ms2 = (np.zeros((n, n)) for _ in range(5))
    worst_self_check = 0.0
    for i in range(n):
        for j in range(n):
            a, b = by_max(genes[i]), by_max(genes[j])  # float32, as a user would call skimage
            full[i, j] = skimage_ssim(a, b)
            meanstd[i, j] = skimage_ssim(by_zscore(genes[i]), by_zscore(genes[j]))
            lum, cs, s = terms(a, b)
            worst_self_check = max(worst_self_check, abs(crop_mean(lum * cs) - full[i, j]))
            structure[i, j] = crop_mean(s)
            csm[i, j] = crop_mean(cs)
            ms2[i, j] = ms_ssim(genes[i], genes[j], scales=2)
    assert worst_self_check < 1e-6, worst_self_check  # our pieces reproduce skimage's full SSIM

    rolled, flipped, transposed = np.roll(big, (7, -5), axis=(0, 1)), np.flipud(big), big.T
    pairs = [(big, big), (big, rolled), (big, flipped), (big, transposed), (rolled, flipped)]
    big5 = np.array([ms_ssim(a, b, 5) for a, b in pairs])
    big3 = np.array([ms_ssim(a, b, 3) for a, b in pairs])
    big5z = np.array([ms_ssim(a, b, 5, by_zscore) for a, b in pairs])

    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "genes.npy"), genes)
    np.save(os.path.join(OUT, "big.npy"), big)
    for name, value in [("ssim_full", full), ("ssim_meanstd", meanstd), ("ssim_structure", structure), ("ssim_cs", csm),
                        ("msssim_small_s2", ms2), ("msssim_big", big5), ("msssim_big_s3", big3), ("msssim_big_meanstd", big5z)]:
        np.save(os.path.join(OUT, name + ".npy"), np.atleast_2d(value))  # 1-D results as (1, n): the C# reader takes 2-D/3-D
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__, "skimage": skimage.__version__, "seed": SEED,
                   "sigma": SIGMA, "truncate": TRUNCATE, "K1": K1, "K2": K2, "crop": RADIUS, "msssim_weights": WEIGHTS.tolist(),
                   "big_pairs": ["big-big", "big-roll(7,-5)", "big-flipud", "big-transpose", "roll(7,-5)-flipud"],
                   "self_check_full_vs_skimage": worst_self_check}, f, indent=1)
    np.set_printoptions(precision=4, suppress=True, linewidth=150)
    print("full\n", full, "\nstructure\n", structure, "\ncs\n", csm, "\nmeanstd\n", meanstd, "\nms2\n", ms2)
    print("big5", big5, "\nbig3", big3, "\nbig5z", big5z, "\nself check", worst_self_check)


if __name__ == "__main__":
    main()
