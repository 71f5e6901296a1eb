#!/usr/bin/python3
"""Spot × gene fixtures written by independent implementations (anndata, h5py, Python's csv/gzip), with the long
tables the same counts give, for the spot readers' tests.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_spot_fixtures.py
Needs python3-anndata, python3-h5py (apt-get install python3-anndata python3-h5py). Writes
tests/reference/fixtures/spots/. The data are synthetic (seeded): smooth spatial programs, Poisson counts.

- st_*: a Spatial Transcriptomics-like square lattice (array units, positions jittered by up to 0.2 pitch, like the MOB
  replicate 11 geometry), one spot with only 3 UMIs.
  st_counts.csv (ST-pipeline ids "<x>x<y>"), st_counts_barcodes.tsv.gz (barcodes, no coordinates) + st_spots.csv,
  st_counts_xy.csv (x, y and a text column in the table), st_expected.tsv (long table at array_col, array_row),
  st_normalised.csv (per-entry counts per 10,000 and ln(1 + that) after the default spot QC, scanpy's normalize_total rule).
- visium_*: a Visium-like hexagonal lattice (doubled columns; positions in image pixels, pitch 137.4 px, rotated 1.5°).
  visium_csr_gzip.h5ad (X CSR, gzip), visium_csc_lzf.h5ad (X log-normalised, layers/counts raw CSC, lzf, positions only in
  obsm/spatial), visium_dense.h5ad (dense X, Ensembl ids as the var index, symbols in var/gene_symbols),
  visium_outs/ (a Space Ranger folder: filtered_feature_bc_matrix.h5 in 10x's layout with one Antibody Capture feature,
  spatial/tissue_positions.csv, scalefactors_json.json), visium_expected.tsv (long table at ⌊array_col/2⌋, array_row).
- hd_outs/binned_outputs/square_008um/: a Visium HD-like 8 µm bin grid (10x .h5, tissue_positions.csv, scale factors
  with bin_size_um 8); hd_expected.tsv at array_col, array_row. (The tests write the positions as Parquet with
  ParquetSharp and read them with Parquet.Net.)
- bad_*.h5ad: copies of visium_csr_gzip.h5ad with one part broken (a dataset missing, indices shorter than data, string
  counts, obsm/spatial of the wrong length, a gene index out of range), for the error tests.
"""
import csv
import gzip
import io
import json
import os

import anndata
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "spots")
TARGET = 10_000.0


def programs(rng, x, y, genes):
    """Expression rates: each gene follows one of three smooth programs over the positions, with its own scale."""
    cx, cy = x.mean(), y.mean()
    span = max(np.ptp(x), np.ptp(y), 1.0)
    p = [np.exp(-((x - cx + span / 4) ** 2 + (y - cy) ** 2) / (2 * (span / 5) ** 2)),
         np.exp(-((x - cx - span / 4) ** 2 + (y - cy + span / 5) ** 2) / (2 * (span / 6) ** 2)),
         0.5 + 0.5 * np.sin(2 * np.pi * (x - x.min()) / span)]
    rates = np.stack([(1 + 20 * rng.random()) * p[g % 3] + 0.2 for g in range(genes)], axis=1)
    return rng.poisson(rates).astype(np.int64)


def write_long(path, genes, counts, px, py):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["geneID", "x", "y", "MIDCount"])
        for g, name in enumerate(genes):
            for s in range(counts.shape[0]):
                if counts[s, g]:
                    w.writerow([name, int(px[s]), int(py[s]), int(counts[s, g])])


def st(rng):
    sites = [(c, r) for r in range(9, 17) for c in range(8, 18) if rng.random() < 0.8]
    col = np.array([c for c, _ in sites])
    row = np.array([r for _, r in sites])
    x = np.round(col + rng.uniform(-0.2, 0.2, len(sites)), 3)
    y = np.round(row + rng.uniform(-0.2, 0.2, len(sites)), 3)
    genes = [f"Gene{g:02d}" for g in range(12)]
    counts = programs(rng, x, y, len(genes)) * 5
    counts[7] = 0
    counts[7, [0, 3, 5]] = 1  # a spot of 3 UMIs
    ids = [f"{a:g}x{b:g}" for a, b in zip(x, y)]
    barcodes = ["".join(rng.choice(list("ACGT"), 18)) for _ in sites]

    with open(os.path.join(OUT, "st_counts.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["spot"] + genes)
        for s in range(len(sites)):
            w.writerow([ids[s]] + list(counts[s]))
    with io.TextIOWrapper(gzip.GzipFile(os.path.join(OUT, "st_counts_barcodes.tsv.gz"), "wb", mtime=0), newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["barcode"] + genes)
        for s in range(len(sites)):
            w.writerow([barcodes[s]] + list(counts[s]))
    with open(os.path.join(OUT, "st_counts_xy.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["spot", "x", "y", "layer"] + genes)
        for s in range(len(sites)):
            w.writerow([barcodes[s], x[s], y[s], "GCL" if s % 2 else "OPL"] + list(counts[s]))
    with open(os.path.join(OUT, "st_spots.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["spot", "barcode", "x", "y", "array_col", "array_row", "total_counts"])
        for s in range(len(sites)):
            w.writerow([ids[s], barcodes[s], x[s], y[s], col[s], row[s], counts[s].sum()])
    write_long(os.path.join(OUT, "st_expected.tsv"), genes, counts, col, row)

    # Default spot QC when normalising: drop spots whose total is under a tenth of the median total; then counts per
    # 10,000 (scanpy normalize_total with target_sum=1e4) and log1p.
    totals = counts.sum(axis=1).astype(float)
    keep = totals >= 0.1 * np.median(totals)
    with open(os.path.join(OUT, "st_normalised.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["gene", "x", "y", "count", "total", "logtotal"])
        for g, name in enumerate(genes):
            for s in np.flatnonzero(keep):
                if counts[s, g]:
                    v = counts[s, g] * TARGET / totals[s]
                    w.writerow([name, col[s], row[s], counts[s, g], repr(float(v)), repr(float(np.log1p(v)))])
    return [ids[s] for s in np.flatnonzero(~keep)]


def visium(rng):
    sites = [(r, c) for r in range(10) for c in range(r % 2, 24, 2) if rng.random() < 0.85]
    row = np.array([r for r, _ in sites])
    col = np.array([c for _, c in sites])
    pitch, theta = 137.4, np.deg2rad(1.5)
    u = 1000 + col * pitch / 2
    v = 800 + row * pitch * np.sqrt(3) / 2
    px = u * np.cos(theta) - v * np.sin(theta) + rng.normal(0, 1.0, len(sites))
    py = u * np.sin(theta) + v * np.cos(theta) + rng.normal(0, 1.0, len(sites))
    genes = [f"Gene{g:02d}" for g in range(15)]
    ensembl = [f"ENSMUSG{g:011d}" for g in range(15)]
    counts = programs(rng, col / 2.0, row * np.sqrt(3) / 2, len(genes)) * 3
    barcodes = ["".join(rng.choice(list("ACGT"), 16)) + "-1" for _ in sites]

    obs = pd.DataFrame({"in_tissue": np.ones(len(sites), dtype=np.int64), "array_row": row, "array_col": col}, index=barcodes)
    var = pd.DataFrame({"gene_ids": ensembl}, index=genes)
    spatial = np.stack([px, py], axis=1)
    X = sp.csr_matrix(counts.astype(np.float32))
    a = anndata.AnnData(X=X, obs=obs, var=var)
    a.obsm["spatial"] = spatial
    a.write_h5ad(os.path.join(OUT, "visium_csr_gzip.h5ad"), compression="gzip")

    b = anndata.AnnData(X=sp.csc_matrix(np.log1p(counts * TARGET / counts.sum(axis=1, keepdims=True)).astype(np.float32)),
                        obs=pd.DataFrame({"n_counts": counts.sum(axis=1)}, index=barcodes), var=var)
    b.layers["counts"] = sp.csc_matrix(counts.astype(np.float32))
    b.obsm["spatial"] = spatial
    b.write_h5ad(os.path.join(OUT, "visium_csc_lzf.h5ad"), compression="lzf")

    c = anndata.AnnData(X=counts.astype(np.float32), obs=obs,
                        var=pd.DataFrame({"gene_symbols": pd.Categorical(genes)}, index=ensembl))
    c.obsm["spatial"] = spatial
    c.write_h5ad(os.path.join(OUT, "visium_dense.h5ad"))

    outs = os.path.join(OUT, "visium_outs")
    write_10x(os.path.join(outs, "filtered_feature_bc_matrix.h5"), barcodes, genes, ensembl, counts, antibody=True)
    os.makedirs(os.path.join(outs, "spatial"), exist_ok=True)
    with open(os.path.join(outs, "spatial", "tissue_positions.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["barcode", "in_tissue", "array_row", "array_col", "pxl_row_in_fullres", "pxl_col_in_fullres"])
        for s in range(len(sites)):
            w.writerow([barcodes[s], 1, row[s], col[s], int(round(py[s])), int(round(px[s]))])
        w.writerow(["TTTTTTTTTTTTTTTT-1", 0, 11, 1, 2000, 1100])  # off-tissue spot, not in the matrix
    with open(os.path.join(outs, "spatial", "scalefactors_json.json"), "w") as f:
        json.dump({"spot_diameter_fullres": 75.6, "tissue_hires_scalef": 0.17, "fiducial_diameter_fullres": 114.3,
                   "tissue_lowres_scalef": 0.05}, f)
    write_long(os.path.join(OUT, "visium_expected.tsv"), genes, counts, col // 2, row)


def hd(rng):
    sites = [(r, c) for r in range(40, 52) for c in range(100, 114) if rng.random() < 0.9]
    row = np.array([r for r, _ in sites])
    col = np.array([c for _, c in sites])
    genes = [f"Gene{g:02d}" for g in range(10)]
    ensembl = [f"ENSMUSG{g + 100:011d}" for g in range(10)]
    counts = programs(rng, col.astype(float), row.astype(float), len(genes))
    barcodes = [f"s_008um_{r:05d}_{c:05d}-1" for r, c in sites]
    folder = os.path.join(OUT, "hd_outs", "binned_outputs", "square_008um")
    write_10x(os.path.join(folder, "filtered_feature_bc_matrix.h5"), barcodes, genes, ensembl, counts, antibody=False)
    os.makedirs(os.path.join(folder, "spatial"), exist_ok=True)
    with open(os.path.join(folder, "spatial", "tissue_positions.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["barcode", "in_tissue", "array_row", "array_col", "pxl_row_in_fullres", "pxl_col_in_fullres"])
        for s in range(len(sites)):
            w.writerow([barcodes[s], 1, row[s], col[s], 500 + row[s] * 29.6, 300 + col[s] * 29.6])
    with open(os.path.join(folder, "spatial", "scalefactors_json.json"), "w") as f:
        json.dump({"spot_diameter_fullres": 29.6, "bin_size_um": 8.0, "microns_per_pixel": 0.2703,
                   "tissue_hires_scalef": 0.08, "tissue_lowres_scalef": 0.008}, f)
    write_long(os.path.join(OUT, "hd_expected.tsv"), genes, counts, col, row)


def write_10x(path, barcodes, genes, ensembl, counts, antibody):
    """10x's HDF5 feature-barcode matrix: features × barcodes, compressed sparse by barcode (10x documentation)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    names, ids, types = list(genes), list(ensembl), ["Gene Expression"] * len(genes)
    m = counts.T  # features × barcodes
    if antibody:
        names.append("CD3_TotalSeqB"); ids.append("CD3"); types.append("Antibody Capture")
        m = np.vstack([m, np.full((1, m.shape[1]), 50)])
    csc = sp.csc_matrix(m.astype(np.int32))
    with h5py.File(path, "w") as f:
        g = f.create_group("matrix")
        g.create_dataset("barcodes", data=np.array(barcodes, dtype="S"), compression="gzip")
        g.create_dataset("data", data=csc.data.astype(np.int32), compression="gzip")
        g.create_dataset("indices", data=csc.indices.astype(np.int64), compression="gzip")
        g.create_dataset("indptr", data=csc.indptr.astype(np.int64), compression="gzip")
        g.create_dataset("shape", data=np.array(m.shape, dtype=np.int32))
        fe = g.create_group("features")
        fe.create_dataset("id", data=np.array(ids, dtype="S"))
        fe.create_dataset("name", data=np.array(names, dtype="S"))
        fe.create_dataset("feature_type", data=np.array(types, dtype="S"))
        fe.create_dataset("genome", data=np.array(["mm10"] * len(names), dtype="S"))
        fe.create_dataset("_all_tag_keys", data=np.array([b"genome"]))
        f.attrs["library_ids"] = np.array([b"fixture"])
        f.attrs["chemistry_description"] = b"Visium Spatial Gene Expression"


def damaged():
    """Damaged copies of visium_csr_gzip.h5ad for the error tests: each breaks one part of the file."""
    import shutil
    src = os.path.join(OUT, "visium_csr_gzip.h5ad")
    cases = {
        "bad_missing_indices.h5ad": lambda f: f["X"].__delitem__("indices"),
        "bad_lengths.h5ad": lambda f: (f["X"].__delitem__("indices"), f["X"].create_dataset("indices", data=np.zeros(5, dtype=np.int32))),
        "bad_dtype.h5ad": lambda f: (f["X"].__delitem__("data"), f["X"].create_dataset("data", data=np.array([b"x"] * f["X/indices"].shape[0]))),
        "bad_spatial.h5ad": lambda f: (f["obs"].__delitem__("array_row"), f["obs"].__delitem__("array_col"), f["obsm"].__delitem__("spatial"),
                                       f["obsm"].create_dataset("spatial", data=np.zeros((3, 2)))),
        "bad_index.h5ad": lambda f: (f["X"]["indices"].__setitem__(0, 99)),
    }
    for name, change in cases.items():
        path = os.path.join(OUT, name)
        shutil.copy(src, path)
        with h5py.File(path, "r+") as f:
            change(f)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240613)
    dropped = st(rng)
    visium(rng)
    hd(rng)
    damaged()
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"anndata": anndata.__version__, "h5py": h5py.__version__, "numpy": np.__version__,
                   "st_dropped_by_default_qc": dropped}, f, indent=1)


if __name__ == "__main__":
    main()
