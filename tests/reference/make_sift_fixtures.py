#!/usr/bin/python3
"""Reference values for DenseSiftSimilarity (tests/TorchCore.Tests/DenseSiftSimilarityTests.cs).

No VLFeat is available here, so this is a straightforward, loop-based numpy implementation of the
descriptor as documented in src/TorchCore/Similarity/DenseSiftSimilarity.cs (Lowe 2004; vl_dsift 'fast'
mode layout: flat window, bilinear spatial and orientation binning), written from the definition:

  h[frame, j, i, o] = sum_{y,x} tri(y - (cy + j*b - floor(3b/2))) * tri(x - (cx + i*b - floor(3b/2))) * g_o(y, x)
  tri(d) = max(0, 1 - |d|/b),   g_o = bilinear share of |grad| in orientation bin o.

Run with Debian's /usr/bin/python3 (numpy, scipy). Writes tests/reference/fixtures/sift/.
"""
import json, math, os
import numpy as np
import scipy, scipy.ndimage as ndi

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "sift")
SEED = 20261125


def grid(n, max_bin, step):
    lo = (3 * max_bin) // 2
    hi = 3 * max_bin - lo
    return [c for c in range(lo, n, step) if c + hi <= n - 1]


def gradient(s):
    # central differences inside, one-sided on the border (numpy.gradient, edge_order=1)
    gy, gx = np.gradient(s.astype(np.float64))
    return gx, gy


def orientation_planes(s):
    gx, gy = gradient(s)
    h, w = s.shape
    planes = np.zeros((8, h, w))
    for y in range(h):
        for x in range(w):
            m = math.hypot(gx[y, x], gy[y, x])
            if m == 0:
                continue
            th = math.atan2(gy[y, x], gx[y, x])
            if th < 0:
                th += 2 * math.pi
            t = th * 8 / (2 * math.pi)
            k = math.floor(t)
            f = t - k
            planes[k % 8, y, x] += m * (1 - f)
            planes[(k + 1) % 8, y, x] += m * f
    return planes


def layer(img, b, magnif, xs, ys):
    s = ndi.gaussian_filter(img.astype(np.float64), b / magnif, mode="reflect", truncate=4.0)
    planes = orientation_planes(s)
    h, w = img.shape
    half = (3 * b) // 2
    yy = np.arange(h)[:, None]
    xx = np.arange(w)[None, :]
    desc = np.zeros((len(ys) * len(xs), 128))
    norms = np.zeros(len(ys) * len(xs))
    for fy, cy in enumerate(ys):
        for fx, cx in enumerate(xs):
            d = np.zeros(128)
            for j in range(4):
                wy = np.maximum(0, 1 - np.abs(yy - (cy + j * b - half)) / b)
                for i in range(4):
                    wx = np.maximum(0, 1 - np.abs(xx - (cx + i * b - half)) / b)
                    for o in range(8):
                        d[(j * 4 + i) * 8 + o] = np.sum(wy * wx * planes[o])
            n = np.linalg.norm(d)
            if n > 0:
                d = d / n
                d = np.minimum(d, 0.2)
                d = d / np.linalg.norm(d)
            else:
                d[:] = 0
            desc[fy * len(xs) + fx] = d
            norms[fy * len(xs) + fx] = n
    return desc, norms


def score(a, b, bins, magnif, step):
    h, w = a.shape
    xs, ys = grid(w, max(bins), step), grid(h, max(bins), step)
    a = a / np.abs(a).max()
    b = b / np.abs(b).max()
    per = []
    for bs in bins:
        da, na = layer(a, bs, magnif, xs, ys)
        db, nb = layer(b, bs, magnif, xs, ys)
        wgt = np.sqrt(na * nb)
        cos = np.sum(da * db, axis=1)
        per.append(float(np.sum(wgt * cos) / np.sum(wgt)) if np.sum(wgt) > 0 else 0.0)
    return float(np.mean(per)), per


def blobs(rng, h, w, n, sigma):
    img = np.zeros((h, w))
    for _ in range(n):
        img[rng.integers(0, h), rng.integers(0, w)] += rng.uniform(1, 5)
    img = ndi.gaussian_filter(img, sigma)
    return rng.poisson(img / img.max() * 20).astype(np.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    h, w = 40, 44
    genes = np.stack([blobs(rng, h, w, 6, 3.0) for _ in range(3)])
    genes[2] = np.roll(genes[0], 3, axis=1)  # shifted copy of gene 0
    np.save(os.path.join(OUT, "genes.npy"), genes)
    params = dict(bins=[4, 6], magnif=6.0, step=4)
    xs, ys = grid(w, 6, 4), grid(h, 6, 4)
    # descriptors and raw norms of gene 0, bin size 4 and 6, on the shared grid
    for bs in (4, 6):
        img = genes[0] / genes[0].max()
        d, n = layer(img, bs, 6.0, xs, ys)
        np.save(os.path.join(OUT, f"g0_desc_b{bs}.npy"), d)
        np.save(os.path.join(OUT, f"g0_norm_b{bs}.npy"), n[:, None])  # (frames, 1): 2-D for NpyFormat
    m = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            m[i, j] = score(genes[i], genes[j], params["bins"], params["magnif"], params["step"])[0]
    np.save(os.path.join(OUT, "scores_b4_6.npy"), m)
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(dict(numpy=np.__version__, scipy=scipy.__version__, seed=SEED, shape=[h, w],
                       parameters=params, frames_x=xs, frames_y=ys,
                       note="gene 2 = gene 0 rolled by 3 columns; descriptors of gene 0 (max-normalised)"), f, indent=1)
    print(m)


if __name__ == "__main__":
    main()
