#!/usr/bin/python3
"""Small transcript tables with the real column layouts of Xenium, MERSCOPE and CosMx (see
fixtures/transcripts/LAYOUTS.md for where each layout comes from). The molecules are synthetic: 6 genes in
blobs on a 40 x 30 um field, plus control codewords and (Xenium) low-quality calls, so that the filters matter.
Deterministic (seeded); run with /usr/bin/python3 from this folder to rewrite the committed files."""
import csv, os, random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'transcripts')
GENES = ['Gad1', 'Slc17a7', 'Pvalb', 'Sst', 'Vip', 'Aqp4']
CONTROLS = {
    'xenium': ['NegControlProbe_00042', 'NegControlCodeword_0500', 'BLANK_0006', 'UnassignedCodeword_0013', 'DeprecatedCodeword_0302'],
    'merscope': ['Blank-1', 'Blank-7'],
    'cosmx': ['NegPrb3', 'NegPrb18', 'FalseCode_12'],
}

def molecules(rng, n, controls):
    rows = []
    for i in range(n):
        if rng.random() < 0.12:
            gene = rng.choice(controls)
            x, y = rng.uniform(0, 40), rng.uniform(0, 30)
        else:
            g = rng.randrange(len(GENES))
            cx, cy = 6 + 5 * g, 5 + 3.5 * g
            x, y = min(39.999, max(0.0, rng.gauss(cx, 3))), min(29.999, max(0.0, rng.gauss(cy, 3)))
            gene = GENES[g]
        rows.append((gene, round(x, 3), round(y, 3)))
    return rows

def xenium(rng):
    # 10x Xenium Onboard Analysis transcripts.csv: quoted header, qv as a float.
    with open(os.path.join(OUT, 'xenium_transcripts.csv'), 'w', newline='') as f:
        w = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(['transcript_id', 'cell_id', 'overlaps_nucleus', 'feature_name', 'x_location', 'y_location', 'z_location', 'qv',
                    'fov_name', 'nucleus_distance'])
        for i, (gene, x, y) in enumerate(molecules(rng, 400, CONTROLS['xenium'])):
            qv = rng.choice([40.0, 40.0, 40.0, 33.6, 20.0, 19.99, 12.5, 5.0])
            cell = 'UNASSIGNED' if rng.random() < 0.3 else 'aaab%04d-1' % rng.randrange(50)
            w.writerow([281474976710656 + i, cell, int(cell != 'UNASSIGNED' and rng.random() < 0.5), gene, x, y,
                        round(rng.uniform(10, 20), 3), qv, 'A%d' % rng.randrange(1, 4), round(rng.uniform(0, 30), 3)])

def merscope(rng):
    # Vizgen MERSCOPE detected_transcripts.csv: an unnamed index column first, global (um) and per-tile (pixel) coordinates.
    with open(os.path.join(OUT, 'merscope_detected_transcripts.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['', 'barcode_id', 'global_x', 'global_y', 'global_z', 'x', 'y', 'fov', 'gene', 'transcript_id', 'cell_id'])
        for i, (gene, x, y) in enumerate(molecules(rng, 350, CONTROLS['merscope'])):
            w.writerow([i, rng.randrange(500), x, y, float(rng.randrange(7)), round(rng.uniform(0, 2048), 1), round(rng.uniform(0, 2048), 1),
                        rng.randrange(4), gene, 'ENSMUST%011d' % rng.randrange(10 ** 9), rng.randrange(-1, 30)])

def cosmx(rng):
    # NanoString CosMx *_tx_file.csv: per-FOV local and global pixel coordinates, target, cell compartment.
    with open(os.path.join(OUT, 'cosmx_tx_file.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['fov', 'cell_ID', 'x_local_px', 'y_local_px', 'x_global_px', 'y_global_px', 'z', 'target', 'CellComp'])
        for gene, x, y in molecules(rng, 300, CONTROLS['cosmx']):
            gx, gy = round(x * 8, 2), round(y * 8, 2)  # 0.125 um pixels
            w.writerow([rng.randrange(1, 5), rng.randrange(0, 40), round(gx % 100, 2), round(gy % 100, 2), gx, gy, rng.randrange(0, 9),
                        gene, rng.choice(['Nuclear', 'Cytoplasm', 'Membrane', '0'])])

if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    xenium(random.Random(13))
    merscope(random.Random(14))
    cosmx(random.Random(15))
