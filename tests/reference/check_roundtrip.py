#!/usr/bin/python3
"""Reads SpatialSim's AnnData export with anndata (Debian's python3-anndata) and checks it against the CSV exports.

Called by make_roundtrip_fixtures.ps1 with the fixture folder. Also writes anndata_reference.h5ad (the same data
written by anndata itself) and verified.json (what was checked, with versions). Exits non-zero on any difference.
"""
import json
import math
import os
import sys

import anndata
import h5py
import numpy as np
import pandas as pd

folder = sys.argv[1]
a = anndata.read_h5ad(os.path.join(folder, "matrix.h5ad"))
expected = pd.read_csv(os.path.join(folder, "matrix.csv"), index_col="Gene", keep_default_na=False, na_values=["NaN"],
                       float_precision="round_trip")
pairs = pd.read_csv(os.path.join(folder, "pairs.csv"), float_precision="round_trip")

genes = list(expected.index)
assert list(a.obs_names) == genes, (list(a.obs_names), genes)
assert list(a.var_names) == genes
assert a.X.dtype == np.float64 and a.X.shape == (len(genes), len(genes))
assert np.array_equal(a.X, expected.to_numpy(), equal_nan=True), "X differs from matrix.csv"
df = a.to_df()
assert list(df.columns) == genes and list(df.index) == genes
assert a.uns["method"] == pairs["Method"][0], a.uns["method"]
assert a.uns["parameters"] == pairs["Parameters"][0], a.uns["parameters"]

index = {g: i for i, g in enumerate(genes)}
for name, column in (("pvalue", "PValue"), ("qvalue", "QValue")):
    layer = a.layers[name]
    assert layer.shape == a.X.shape
    for _, row in pairs.iterrows():
        i, j = index[row["GeneA"]], index[row["GeneB"]]
        assert layer[i, j] == layer[j, i] == row[column], (name, row["GeneA"], row["GeneB"])
    assert all(math.isnan(layer[i, i]) for i in range(len(genes)))
for _, row in pairs.iterrows():
    i, j = index[row["GeneA"]], index[row["GeneB"]]
    assert a.X[i, j] == a.X[j, i] == row["Score"]

# The same object written by anndata itself: the C# tests compare our layout with this one.
reference = anndata.AnnData(X=expected.to_numpy(), obs=pd.DataFrame(index=genes), var=pd.DataFrame(index=genes),
                            uns={"method": a.uns["method"], "parameters": a.uns["parameters"]},
                            layers={"pvalue": a.layers["pvalue"], "qvalue": a.layers["qvalue"]}, dtype="float64")
assert reference.X.dtype == np.float64
reference.write_h5ad(os.path.join(folder, "anndata_reference.h5ad"))

with open(os.path.join(folder, "verified.json"), "w") as f:
    json.dump({
        "matrix.h5ad": "anndata.read_h5ad: X float64 %dx%d equal to matrix.csv (NaN included) and to every pair's Score in pairs.csv; "
                       "obs_names = var_names = the CSV's genes; uns method and parameters; layers pvalue/qvalue equal to pairs.csv, "
                       "NaN on the diagonal; to_df() labels both axes" % a.X.shape,
        "python": sys.version.split()[0], "anndata": anndata.__version__, "h5py": h5py.__version__,
        "numpy": np.__version__, "pandas": pd.__version__,
        "parquet_in_python": "not checked in Python: Debian 12 packages no Parquet reader (no python3-pyarrow, no python3-fastparquet); "
                             "see check_roundtrip.mjs (hyparquet) and the C# tests (Parquet.Net)",
    }, f, indent=1)
    f.write("\n")
print("matrix.h5ad verified with anndata", anndata.__version__)
