#!/usr/bin/python3
"""Synthetic spot × gene samples for the README's example session (no real data: every count is simulated, seeded).

Run with Debian's Python: /usr/bin/python3 tools/make_spot_samples.py (python3-anndata, python3-h5py). Writes
samples/synthetic_spots/:
- st/counts.csv + st/spots.csv: a Spatial Transcriptomics array with the geometry of the mouse olfactory bulb replicate
  (262 spots on a 21 × 16 lattice, 200 µm pitch, positions jittered by up to 0.2 pitch, ST-pipeline spot ids), 40 genes in
  four concentric layers (as the bulb's granule, mitral, plexiform and glomerular layers), library sizes that vary 4-fold
  across the section (so raw counts share one pattern and normalisation matters), one spot of 4 UMIs.
- visium/outs/: a Space Ranger folder (filtered_feature_bc_matrix.h5, spatial/tissue_positions.csv, scale factors) of a
  Visium section, 1,400 spots on the hexagonal lattice, 40 genes in cortical-like bands, and the same data as
  visium.h5ad (X CSR gzip, obs array_row/array_col, obsm/spatial).
- visium_hd/binned_outputs/square_008um/: a Visium HD 8 µm bin grid (64 × 48 bins), 30 genes in thin curved layers.
"""
import csv
import json
import os

import anndata
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "synthetic_spots")


def layered(rng, x, y, genes, layers, depth, width, depth_scale):
    """Counts: each gene peaks in one layer (a band of 'depth'); library size varies smoothly across the section."""
    g_layer = np.arange(genes) % layers
    centres = (np.arange(layers) + 0.5) / layers
    library = 1.0 + 3.0 * (x - x.min()) / max(np.ptp(x), 1)  # 4-fold gradient, shared by every gene
    rates = np.empty((len(x), genes))
    for g in range(genes):
        peak = np.exp(-((depth - centres[g_layer[g]]) ** 2) / (2 * width ** 2))
        rates[:, g] = library * depth_scale * (0.05 + (0.5 + rng.random()) * peak)
    return rng.poisson(rates).astype(np.int64), [f"L{g_layer[g] + 1}g{g:02d}" for g in range(genes)]


def st(rng):
    out = os.path.join(ROOT, "st")
    os.makedirs(out, exist_ok=True)
    cols, rows = np.meshgrid(np.arange(8, 29), np.arange(9, 25))
    cx, cy = 18.0, 16.5
    r = np.hypot((cols - cx) / 10.5, (rows - cy) / 8.0)
    inside = r < 1.0
    keep = np.flatnonzero(inside.ravel())
    keep = keep[np.argsort(rng.random(len(keep)))[:262]]
    col, row = cols.ravel()[keep], rows.ravel()[keep]
    x = np.round(col + rng.uniform(-0.2, 0.2, len(col)), 3)
    y = np.round(row + rng.uniform(-0.2, 0.2, len(row)), 3)
    depth = np.clip(np.hypot((col - cx) / 10.5, (row - cy) / 8.0), 0, 1)
    counts, genes = layered(rng, x, y, 40, 4, depth, 0.12, 60)
    counts[5] = 0
    counts[5, [1, 6, 11, 16]] = 1  # a spot of 4 UMIs
    ids = [f"{a:g}x{b:g}" for a, b in zip(x, y)]
    with open(os.path.join(out, "counts.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["spot"] + genes)
        for s in range(len(ids)):
            w.writerow([ids[s]] + list(counts[s]))
    with open(os.path.join(out, "spots.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["spot", "x", "y", "array_col", "array_row", "total_counts"])
        for s in range(len(ids)):
            w.writerow([ids[s], x[s], y[s], col[s], row[s], counts[s].sum()])


def write_10x(path, barcodes, genes, counts):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    csc = sp.csc_matrix(counts.T.astype(np.int32))
    with h5py.File(path, "w") as f:
        g = f.create_group("matrix")
        g.create_dataset("barcodes", data=np.array(barcodes, dtype="S"), compression="gzip")
        g.create_dataset("data", data=csc.data, compression="gzip")
        g.create_dataset("indices", data=csc.indices.astype(np.int64), compression="gzip")
        g.create_dataset("indptr", data=csc.indptr.astype(np.int64), compression="gzip")
        g.create_dataset("shape", data=np.array(csc.shape, dtype=np.int32))
        fe = g.create_group("features")
        fe.create_dataset("id", data=np.array([f"SYN{i:06d}" for i in range(len(genes))], dtype="S"))
        fe.create_dataset("name", data=np.array(genes, dtype="S"))
        fe.create_dataset("feature_type", data=np.array(["Gene Expression"] * len(genes), dtype="S"))
        fe.create_dataset("genome", data=np.array(["synthetic"] * len(genes), dtype="S"))


def positions(path, barcodes, row, col, pxl_row, pxl_col):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["barcode", "in_tissue", "array_row", "array_col", "pxl_row_in_fullres", "pxl_col_in_fullres"])
        for s in range(len(barcodes)):
            w.writerow([barcodes[s], 1, row[s], col[s], round(float(pxl_row[s]), 2), round(float(pxl_col[s]), 2)])


def visium(rng):
    sites = [(r, c) for r in range(78) for c in range(r % 2, 128, 2)]
    row = np.array([r for r, _ in sites])
    col = np.array([c for _, c in sites])
    u, v = col / 2.0, row * np.sqrt(3) / 2
    inside = np.hypot((u - 32) / 24, (v - 33) / 20) < 1
    row, col, u, v = row[inside], col[inside], u[inside], v[inside]
    depth = np.clip((v - v.min()) / np.ptp(v) + 0.08 * np.sin(u / 6), 0, 1)  # bands across the section, gently curved
    counts, genes = layered(rng, u, v, 40, 5, depth, 0.07, 6)
    barcodes = ["".join(rng.choice(list("ACGT"), 16)) + "-1" for _ in range(len(row))]
    out = os.path.join(ROOT, "visium", "outs")
    write_10x(os.path.join(out, "filtered_feature_bc_matrix.h5"), barcodes, genes, counts)
    pitch = 137.4  # image pixels between spot centres (100 µm)
    positions(os.path.join(out, "spatial", "tissue_positions.csv"), barcodes, row, col, 900 + v * pitch, 700 + u * pitch)
    with open(os.path.join(out, "spatial", "scalefactors_json.json"), "w") as f:
        json.dump({"spot_diameter_fullres": 75.6, "tissue_hires_scalef": 0.17, "fiducial_diameter_fullres": 114.3,
                   "tissue_lowres_scalef": 0.05}, f)
    a = anndata.AnnData(X=sp.csr_matrix(counts.astype(np.float32)),
                        obs=pd.DataFrame({"in_tissue": 1, "array_row": row, "array_col": col}, index=barcodes),
                        var=pd.DataFrame(index=genes))
    a.obsm["spatial"] = np.stack([700 + u * pitch, 900 + v * pitch], axis=1)
    a.write_h5ad(os.path.join(ROOT, "visium", "visium.h5ad"), compression="gzip")


def visium_hd(rng):
    rows, cols = np.meshgrid(np.arange(48), np.arange(64), indexing="ij")
    row, col = rows.ravel(), cols.ravel()
    # Thin curved layers: depth is the distance from an arc.
    depth = np.clip((np.hypot(col - 32, row + 30) - 30) / 50, 0, 1)
    counts, genes = layered(rng, col.astype(float), row.astype(float), 30, 6, depth, 0.035, 1.2)
    barcodes = [f"s_008um_{r:05d}_{c:05d}-1" for r, c in zip(row, col)]
    out = os.path.join(ROOT, "visium_hd", "binned_outputs", "square_008um")
    write_10x(os.path.join(out, "filtered_feature_bc_matrix.h5"), barcodes, genes, counts)
    positions(os.path.join(out, "spatial", "tissue_positions.csv"), barcodes, row, col, 400 + row * 29.6, 300 + col * 29.6)
    with open(os.path.join(out, "spatial", "scalefactors_json.json"), "w") as f:
        json.dump({"spot_diameter_fullres": 29.6, "bin_size_um": 8.0, "microns_per_pixel": 0.2703}, f)


def main():
    rng = np.random.default_rng(2016)
    st(rng)
    visium(rng)
    visium_hd(rng)


if __name__ == "__main__":
    main()
