#!/usr/bin/python3
"""Reference keypoints and descriptors for KeypointsSimilarity (tests/TorchCore.Tests/KeypointsSimilarityTests.cs).

A loop-based numpy/scipy implementation of the detector and descriptor as documented in
src/TorchCore/Similarity/KeypointsSimilarity.cs (Lowe 2004 DoG scale space without upsampling or sub-pixel
refinement; unrotated SIFT descriptor, cells of 3σ, Gaussian window 2 cell widths). Not VLFeat/OpenCV (not
installed here): it checks that the C# code computes what its documentation says.
Run with Debian's /usr/bin/python3. Writes tests/reference/fixtures/keypoints/.
"""
import json, math, os
import numpy as np
import scipy, scipy.ndimage as ndi

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "keypoints")
SEED = 7
P = dict(S=3, sigma0=1.6, octaves=4, contrast=0.03, edge=10.0)


def normalise_clamp(d):
    n = np.linalg.norm(d)
    if n == 0:
        return d * 0
    d = np.minimum(d / n, 0.2)
    return d / np.linalg.norm(d)


def describe(g, x0, y0, sigma):
    h, w = g.shape
    gy, gx = np.gradient(g)
    bw = 3 * sigma
    sw = 2 * bw
    r = math.ceil(2.5 * bw)
    d = np.zeros(128)
    for y in range(max(0, y0 - r), min(h - 1, y0 + r) + 1):
        for x in range(max(0, x0 - r), min(w - 1, x0 + r) + 1):
            m = math.hypot(gx[y, x], gy[y, x])
            if m == 0:
                continue
            dx, dy = x - x0, y - y0
            m *= math.exp(-(dx * dx + dy * dy) / (2 * sw * sw))
            th = math.atan2(gy[y, x], gx[y, x]) % (2 * math.pi)
            t = th * 8 / (2 * math.pi)
            o = math.floor(t)
            f = t - o
            for j in range(4):
                wy = 1 - abs(dy / bw + 1.5 - j)
                if wy <= 0:
                    continue
                for i in range(4):
                    wx = 1 - abs(dx / bw + 1.5 - i)
                    if wx <= 0:
                        continue
                    d[(j * 4 + i) * 8 + o % 8] += m * wy * wx * (1 - f)
                    d[(j * 4 + i) * 8 + (o + 1) % 8] += m * wy * wx * f
    return normalise_clamp(d)


def detect(img):
    S, s0 = P["S"], P["sigma0"]
    sig = [s0 * 2 ** (i / S) for i in range(S + 3)]
    base, prior = img / np.abs(img).max(), 0.0
    kps, descs = [], []
    limit = (P["edge"] + 1) ** 2 / P["edge"]
    for o in range(P["octaves"]):
        h, w = base.shape
        if min(h, w) < 8:
            break
        g = [ndi.gaussian_filter(base, math.sqrt(max(0, s * s - prior * prior)), mode="reflect") if s * s - prior * prior > 0 else base.copy() for s in sig]
        dog = [g[i + 1] - g[i] for i in range(S + 2)]
        for i in range(1, S + 1):
            cube = np.stack(dog[i - 1:i + 2])
            mid = dog[i]
            for y in range(1, h - 1):
                for x in range(1, w - 1):
                    v = mid[y, x]
                    if abs(v) < P["contrast"]:
                        continue
                    nb = cube[:, y - 1:y + 2, x - 1:x + 2].ravel()
                    others = np.delete(nb, 13)
                    if not (np.all(others < v) or np.all(others > v)):
                        continue
                    dxx = mid[y, x + 1] + mid[y, x - 1] - 2 * v
                    dyy = mid[y + 1, x] + mid[y - 1, x] - 2 * v
                    dxy = (mid[y + 1, x + 1] - mid[y + 1, x - 1] - mid[y - 1, x + 1] + mid[y - 1, x - 1]) / 4
                    tr, det = dxx + dyy, dxx * dyy - dxy * dxy
                    if not (det > 0 and tr * tr / det < limit):
                        continue
                    kps.append([x * 2 ** o, y * 2 ** o, sig[i] * 2 ** o, o, i, v])
                    descs.append(describe(g[i], x, y, sig[i]))
        base, prior = g[S][::2, ::2], s0
    return np.array(kps), np.array(descs)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    h, w = 80, 88
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w))
    for _ in range(10):
        cx, cy = rng.uniform(8, w - 8), rng.uniform(8, h - 8)
        s, a = rng.uniform(1.5, 7), rng.uniform(0.4, 1)
        img += a * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
    img = img.astype(np.float32)
    np.save(os.path.join(OUT, "image.npy"), img)
    k, d = detect(img.astype(np.float64))
    np.save(os.path.join(OUT, "keypoints.npy"), k)
    np.save(os.path.join(OUT, "descriptors.npy"), d)
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(dict(numpy=np.__version__, scipy=scipy.__version__, seed=SEED, shape=[h, w], parameters=P,
                       columns="x, y, sigma, octave, level, response (input pixels; map max = 1)"), f, indent=1)
    print(len(k), "keypoints")
    print(k)


if __name__ == "__main__":
    main()
