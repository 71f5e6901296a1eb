#!/usr/bin/python3
"""Stereo-seq GEF (HDF5 "bgef", common-bin GEF) fixtures written with h5py from the bundled GEM patch.

Run with Debian's Python: /usr/bin/python3 tests/reference/make_gef_fixtures.py
Needs python3-numpy and python3-h5py (apt-get install -y python3-h5py). Writes tests/reference/fixtures/gef/.

The layout follows STOmics geftools' BgefWriter (bgef_writer.cpp, storeGene) and what stereopy's GEF reader reads:
  /                                  attrs version (uint32[1]), geftool_ver (uint32[3]), omics, bin_type (32-byte strings)
  /geneExp/bin{N}/expression         compound {x int32, y int32, count uint8|uint16|uint32}, the rows of each gene
                                     together, genes in byte order of their names; attrs minX, minY, maxX, maxY
                                     (int32[1]), maxExp, resolution (uint32[1])
  /geneExp/bin{N}/gene               compound {gene S64 (S32 in old files), offset uint32, count uint32}, or from GEF
                                     version 4 on {geneID S64, geneName S64, offset uint32, count uint32}: gene i owns
                                     expression rows [offset, offset + count)
  At bin N > 1, x and y are the bin's corner: floor(x / N) * N (geftools' BinTask then `g.x *= bin`), counts summed.

Files (every GEF is paired with the GEM text that holds the same molecules, so a reader can be checked against the
GEM reader):
  samples/stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gef (a bundled sample, shipped with the module)
                     the whole bundled patch (SS200000135TL_D1_bin1_small.gem.gz, 77,634 rows, 10,631 genes), GEF
                     version 2 (gene S64), bin1 + bin50 + bin100 levels, every dataset chunked and gzip-compressed
                     (the GEM is the bundled sample itself)
  corner.gef         the rows with x < 9700 and y < 12700 (the dense corner) of the 300 genes with most counts there, GEF version 4 (geneID, geneName: geneID
                     is the GEM's geneID, geneName a different string so a test sees which one is read), count uint16,
                     contiguous uncompressed datasets as geftools writes them, bin1 + bin20 levels, plus an exon
                     dataset; corner.gem.gz is the same rows as a GEM table
  shifted.gef        the corner moved by (+7, +3) DNBs, so its minimum is not a multiple of 20: the stored bin20 level
                     then bins differently from the GEM reader (anchored at the data minimum); shifted.gem.gz the same rows
  Bad files (each one defect, for the error-message tests):
  bad_no_gene.gef        /geneExp/bin1/gene missing
  bad_no_bin1.gef        /geneExp has only bin50
  bad_lengths.gef        the genes' counts add up to 5 more rows than /geneExp/bin1/expression holds
  bad_uncovered.gef      the genes' rows cover 2 of the 3 expression rows
  bad_float_xy.gef       expression x and y stored as float32
  bad_not_compound.gef   expression is a plain int32 [n, 3] array
  bad_offsets.gef        gene 2's offset points past the end of expression
  versions.json
"""
import gzip
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEM = os.path.join(ROOT, "samples", "stereoseq_mouse_brain_bin1", "SS200000135TL_D1_bin1_small.gem.gz")
OUT = os.path.join(HERE, "fixtures", "gef")
SAMPLE_GEF = os.path.join(ROOT, "samples", "stereoseq_mouse_brain_bin1", "SS200000135TL_D1_bin1_small.gef")
CORNER_GENES = 300


def read_gem(path):
    genes, xs, ys, counts = [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = None
        for line in f:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            genes.append(fields[0])
            xs.append(int(fields[1]))
            ys.append(int(fields[2]))
            counts.append(int(fields[3]))
    return genes, np.array(xs, np.int64), np.array(ys, np.int64), np.array(counts, np.int64)


def write_gem(path, genes, xs, ys, counts):
    text = "geneID\tx\ty\tMIDCount\n" + "".join(f"{g}\t{x}\t{y}\t{c}\n" for g, x, y, c in zip(genes, xs, ys, counts))
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:  # the same bytes every run
        f.write(text.encode("utf-8"))


def count_dtype(max_count, smallest=np.uint8):
    for t in (np.uint8, np.uint16, np.uint32):
        if np.dtype(t).itemsize >= np.dtype(smallest).itemsize and max_count <= np.iinfo(t).max:
            return t
    raise ValueError(max_count)


def level(genes, xs, ys, counts, b):
    """geftools' binning: per gene, (floor(x/b)*b, floor(y/b)*b) with counts summed; genes in byte order."""
    by_gene = {}
    for g, x, y, c in zip(genes, xs, ys, counts):
        cell = by_gene.setdefault(g, {})
        key = (x // b * b, y // b * b)
        cell[key] = cell.get(key, 0) + c
    names = sorted(by_gene, key=lambda s: s.encode("utf-8"))
    rows, table, offset = [], [], 0
    for g in names:
        cells = by_gene[g]
        # geftools keeps each gene's rows in a hash-map order; any order is valid, so shuffle deterministically.
        keys = sorted(cells, key=lambda k: (k[1] * 7919 + k[0] * 104729) % 1000003)
        for k in keys:
            rows.append((k[0], k[1], cells[k]))
        table.append((g, offset, len(keys)))
        offset += len(keys)
    return rows, table


def write_gef(path, genes, xs, ys, counts, bins, version, gzip_level=None, count_min=np.uint8, gene_name=None, exon=False):
    with h5py.File(path, "w", libver="earliest") as h5:
        h5.attrs.create("version", np.array([version], np.uint32))
        h5.attrs.create("geftool_ver", np.array([0, 7, 12], np.uint32))
        h5.attrs.create("omics", np.array([b"Transcriptomics"], "S32"))
        h5.attrs.create("bin_type", np.array([b"Bin"], "S32"))
        ge = h5.create_group("geneExp")
        for b in bins:
            rows, table = level(genes, xs, ys, counts, b)
            ct = count_dtype(max(r[2] for r in rows), count_min)
            exp_t = np.dtype([("x", "<i4"), ("y", "<i4"), ("count", ct)])
            exp = np.array(rows, dtype=exp_t)
            grp = ge.create_group(f"bin{b}")
            kw = dict(compression="gzip", compression_opts=gzip_level, chunks=True) if gzip_level else {}
            d = grp.create_dataset("expression", data=exp, **kw)
            for name, value in (("minX", exp["x"].min()), ("minY", exp["y"].min()), ("maxX", exp["x"].max()), ("maxY", exp["y"].max())):
                d.attrs.create(name, np.array([value], np.int32))
            d.attrs.create("maxExp", np.array([exp["count"].max()], np.uint32))
            d.attrs.create("resolution", np.array([500], np.uint32))
            if version >= 4:
                gene_t = np.dtype([("geneID", "S64"), ("geneName", "S64"), ("offset", "<u4"), ("count", "<u4")])
                gt = np.array([(g.encode(), gene_name(g).encode(), o, n) for g, o, n in table], dtype=gene_t)
            else:
                gene_t = np.dtype([("gene", "S64"), ("offset", "<u4"), ("count", "<u4")])
                gt = np.array([(g.encode(), o, n) for g, o, n in table], dtype=gene_t)
            grp.create_dataset("gene", data=gt, **kw)
            if exon:
                grp.create_dataset("exon", data=np.minimum(exp["count"], 1).astype(np.uint8), **kw)


def write_bad(path, build):
    with h5py.File(path, "w") as h5:
        h5.attrs.create("version", np.array([2], np.uint32))
        build(h5.create_group("geneExp"))


def main():
    os.makedirs(OUT, exist_ok=True)
    genes, xs, ys, counts = read_gem(GEM)
    assert len(genes) == 77634, len(genes)

    write_gef(SAMPLE_GEF, genes, xs, ys, counts, bins=(1, 50, 100), version=2, gzip_level=6)

    corner = (xs < 9700) & (ys < 12700)
    seen = {}
    for g, k, c in zip(genes, corner, counts):
        if k:
            seen[g] = seen.get(g, 0) + c
    top = set(sorted(seen, key=lambda g: (-seen[g], g))[:CORNER_GENES])
    keep = corner & np.array([g in top for g in genes])
    cg = [g for g, k in zip(genes, keep) if k]
    cx, cy, cc = xs[keep], ys[keep], counts[keep]
    write_gem(os.path.join(OUT, "corner.gem.gz"), cg, cx, cy, cc)
    write_gef(os.path.join(OUT, "corner.gef"), cg, cx, cy, cc, bins=(1, 20), version=4,
              count_min=np.uint16, gene_name=lambda g: "name:" + g, exon=True)

    write_gem(os.path.join(OUT, "shifted.gem.gz"), cg, cx + 7, cy + 3, cc)
    write_gef(os.path.join(OUT, "shifted.gef"), cg, cx + 7, cy + 3, cc, bins=(1, 20), version=2)

    small = np.array([(9600, 12600, 1), (9601, 12600, 2), (9602, 12605, 1)], dtype=[("x", "<i4"), ("y", "<i4"), ("count", "u1")])
    gene_t = np.dtype([("gene", "S64"), ("offset", "<u4"), ("count", "<u4")])

    def no_gene(ge):
        ge.create_group("bin1").create_dataset("expression", data=small)

    def no_bin1(ge):
        g = ge.create_group("bin50")
        g.create_dataset("expression", data=small)
        g.create_dataset("gene", data=np.array([(b"Apoe", 0, 3)], dtype=gene_t))

    def lengths(ge):
        g = ge.create_group("bin1")
        g.create_dataset("expression", data=small)
        g.create_dataset("gene", data=np.array([(b"Apoe", 0, 2), (b"Malat1", 2, 6)], dtype=gene_t))

    def uncovered(ge):
        g = ge.create_group("bin1")
        g.create_dataset("expression", data=small)
        g.create_dataset("gene", data=np.array([(b"Apoe", 0, 1), (b"Malat1", 1, 1)], dtype=gene_t))

    def float_xy(ge):
        g = ge.create_group("bin1")
        g.create_dataset("expression", data=np.array([(9600.5, 12600.0, 1)], dtype=[("x", "<f4"), ("y", "<f4"), ("count", "u1")]))
        g.create_dataset("gene", data=np.array([(b"Apoe", 0, 1)], dtype=gene_t))

    def not_compound(ge):
        g = ge.create_group("bin1")
        g.create_dataset("expression", data=np.array([[9600, 12600, 1]], np.int32))
        g.create_dataset("gene", data=np.array([(b"Apoe", 0, 1)], dtype=gene_t))

    def offsets(ge):
        g = ge.create_group("bin1")
        g.create_dataset("expression", data=small)
        g.create_dataset("gene", data=np.array([(b"Apoe", 0, 2), (b"Malat1", 7, 1)], dtype=gene_t))

    for name, build in (("bad_no_gene", no_gene), ("bad_no_bin1", no_bin1), ("bad_lengths", lengths), ("bad_uncovered", uncovered),
                        ("bad_float_xy", float_xy), ("bad_not_compound", not_compound), ("bad_offsets", offsets)):
        write_bad(os.path.join(OUT, name + ".gef"), build)

    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
