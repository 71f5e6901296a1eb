#!/usr/bin/python3
"""MERSCOPE- and CosMx-shaped transcript tables made from the bundled Stereo-seq patch (BSD 2-Clause), for the README's
worked examples: real spatial biology in the two platforms' column layouts (see
tests/reference/fixtures/transcripts/LAYOUTS.md for where the layouts come from). Not MERSCOPE or CosMx data.

Genes with at least 200 UMIs in the patch; every UMI becomes one molecule at its DNB's position (a DNB is 0.5 um),
jittered uniformly within the DNB; about 2% extra molecules of each platform's control codewords at uniform random
positions. Deterministic (seeded). Run with /usr/bin/python3 from the repository root to rewrite the files."""
import collections, csv, gzip, io, os, random, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEM = os.path.join(ROOT, 'samples', 'stereoseq_mouse_brain_bin1', 'SS200000135TL_D1_bin1_small.gem.gz')
OUT = os.path.join(ROOT, 'samples', 'imaging_like_mouse_brain')
MIN_UMIS = 200
DNB_UM = 0.5
COSMX_UM_PER_PX = 0.12   # the SMI ReadMe's pixel size


def molecules(rng, controls):
    rows = []
    with gzip.open(GEM, 'rt') as f:
        reader = csv.DictReader((line for line in f if not line.startswith('#')), delimiter='\t')
        for r in reader:
            rows.append((r['geneID'], int(r['x']), int(r['y']), int(r['MIDCounts'])))
    totals = collections.Counter()
    for gene, _, _, n in rows:
        totals[gene] += n
    x0, y0 = min(r[1] for r in rows), min(r[2] for r in rows)
    x1, y1 = max(r[1] for r in rows) + 1, max(r[2] for r in rows) + 1
    out = []
    for gene, x, y, n in rows:
        if totals[gene] < MIN_UMIS:
            continue
        for _ in range(n):
            out.append((gene, (x - x0 + rng.random()) * DNB_UM, (y - y0 + rng.random()) * DNB_UM))
    for _ in range(len(out) // 50):
        out.append((rng.choice(controls), rng.uniform(0, (x1 - x0) * DNB_UM), rng.uniform(0, (y1 - y0) * DNB_UM)))
    rng.shuffle(out)
    return out


def write(name, header, rows):
    path = os.path.join(OUT, name)
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator='\n')
    w.writerow(header)
    w.writerows(rows)
    with open(path, 'wb') as raw:   # mtime 0 in the gzip header: the same bytes on every run
        with gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0) as f:
            f.write(buffer.getvalue().encode())
    return path


def merscope(rng):
    mols = molecules(rng, ['Blank-%d' % k for k in range(1, 11)])
    rows = []
    for i, (gene, x, y) in enumerate(mols):
        fov = int(x // 100) + 2 * int(y // 100)
        rows.append([i, 10 + (zlib.crc32(gene.encode()) % 500), '%.3f' % x, '%.3f' % y, '%.1f' % rng.choice([0.0, 1.5, 3.0]),
                     '%.1f' % ((x % 100) / 0.108), '%.1f' % ((y % 100) / 0.108), fov, gene, 'ENSMUST%011d' % (zlib.crc32(gene.encode()) % 10**11), -1])
    return write('detected_transcripts.csv.gz',
                 ['', 'barcode_id', 'global_x', 'global_y', 'global_z', 'x', 'y', 'fov', 'gene', 'transcript_id', 'cell_id'], rows)


def cosmx(rng):
    mols = molecules(rng, ['NegPrb%d' % k for k in range(1, 21)] + ['FalseCode%d' % k for k in range(1, 6)])
    rows = []
    for gene, x, y in mols:
        gx, gy = x / COSMX_UM_PER_PX, y / COSMX_UM_PER_PX
        fov = 1 + int(gx // 4256) + 2 * int(gy // 4256)
        rows.append([fov, 0, '%.1f' % (gx % 4256), '%.1f' % (gy % 4256), '%.1f' % gx, '%.1f' % gy, rng.randrange(0, 9), gene, 'None'])
    return write('mouse_brain_tx_file.csv.gz',
                 ['fov', 'cell_ID', 'x_local_px', 'y_local_px', 'x_global_px', 'y_global_px', 'z', 'target', 'CellComp'], rows)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    for make, seed in ((merscope, 61), (cosmx, 62)):
        path = make(random.Random(seed))
        print(path, os.path.getsize(path), 'bytes')
