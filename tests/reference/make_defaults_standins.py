#!/usr/bin/env python3
"""Synthetic stand-ins for the two real data sets the default ranking is checked on (issue #12), which may not ship:

* mob_standin.csv  -- the geometry of the mouse olfactory bulb ST replicate 11 (Stahl et al. 2016, Science 353:78,
  doi:10.1126/science.aaf2403): a 21 x 16 spot grid (array_col 8..28, array_row 9..24) with 262 spots on the tissue,
  which is an oval; its layers are concentric -- granule cell layer (GCL) in the core, then the mitral cell layer (MCL),
  outer plexiform layer (OPL), glomerular layer (GL) and olfactory nerve layer (ONL) outside. Dense, high counts: each
  marker has about 40 UMIs a spot in its layer and 4 elsewhere (Poisson), as in the real data where most markers are
  detected in most spots. Same 16 markers as the real-data test (see tests/Pester/Biology.Tests.ps1).
* ca1_standin.csv -- the geometry of the CA1 ISS table (Qian et al. 2020, Nat Methods 17:101, doi:10.1038/s41592-019-0631-4):
  single molecules on a 7602 x 5471 px canvas, tissue an arc of the hippocampus; pyramidal cells in a thin band
  (stratum pyramidale), oligodendrocytes in the alveus at the outer edge, MGE interneurons (Pvalb/Sst/Lhx6/Satb1 cells)
  scattered in stratum oriens, VIP interneurons (Vip/Calb2/Penk cells) scattered in stratum radiatum. Each gene's
  molecules are drawn around the cells of its class (cell radius 25 px), so genes of one class share cells. Four genes
  expressed throughout the tissue (Cplx2, Enc1, Aldoc, Prkca: 3000 molecules each, as abundant as in the real panel,
  where most molecules are of such genes) make its density continuous.

Standard library only (random with a fixed seed): `python3 tests/reference/make_defaults_standins.py` rewrites both files.
"""
import math, os, random

OUT = os.path.join(os.path.dirname(__file__), 'fixtures', 'defaults')

MOB_MARKERS = {
    'GCL': ['Penk', 'Cpne4', 'Gng4', 'Sox11'],
    'MCL': ['Cdhr1', 'Slc17a7', 'Tbx21', 'Doc2g'],
    'GL': ['Th', 'Nrsn1', 'Calb1', 'Nppa'],
    'ONL': ['Omp', 'S100a5', 'Fabp7', 'Gng13'],
}
# Outer edge of each layer in the normalised elliptical radius of the tissue oval.
MOB_LAYERS = [('GCL', 0.45), ('MCL', 0.57), ('OPL', 0.70), ('GL', 0.84), ('ONL', 1.01)]


def poisson(rng, lam):
    # Knuth for small means, normal approximation above 60.
    if lam > 60:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def mob(rng):
    cx, cy, rx, ry = 18.0, 16.5, 10.6, 8.4
    spots = []
    for row in range(9, 25):
        for col in range(8, 29):
            r = math.hypot((col - cx) / rx, (row - cy) / ry)
            spots.append((r, col, row))
    spots.sort()
    spots = spots[:262]                      # the 262 most central grid cells are the tissue
    rows = []
    for r, col, row in spots:
        layer = next(name for name, edge in MOB_LAYERS if r / spots[-1][0] <= edge)
        for own, genes in MOB_MARKERS.items():
            for g in genes:
                lam = 40.0 if own == layer else 4.0
                c = poisson(rng, lam)
                if c:
                    rows.append((g, col, row, c))
    with open(os.path.join(OUT, 'mob_standin.csv'), 'w') as f:
        f.write('gene,x,y,count\n')
        for g, x, y, c in rows:
            f.write(f'{g},{x},{y},{c}\n')


CA1_CLASSES = {
    'PC': (['Neurod6', '3110035E14Rik', 'Fam19a1', 'Nrn1'], 900),
    'Oligo': (['Plp1', 'Cryab'], 700),
    'MGE': (['Pvalb', 'Sst', 'Lhx6', 'Satb1'], 260),
    'VIP': (['Vip', 'Calb2', 'Penk'], 140),
}
W, H = 7602, 5471
CX, CY = 3800.0, 8200.0                       # centre of the arc, below the canvas
R_IN, R_PYR, R_OUT = 3300.0, 4700.0, 6100.0   # radiatum inner edge, pyramidal band, alveus outer edge


def in_arc(x, y):
    return 0 <= x < W and 0 <= y < H and R_IN <= math.hypot(x - CX, y - CY) <= R_OUT


def cell_at(rng, r_lo, r_hi):
    while True:
        a = rng.uniform(math.pi * 1.05, math.pi * 1.95)
        r = rng.uniform(r_lo, r_hi)
        x, y = CX + r * math.cos(a), CY + r * math.sin(a)
        if in_arc(x, y):
            return x, y


def ca1(rng):
    cells = {
        'PC': [cell_at(rng, R_PYR - 90, R_PYR + 90) for _ in range(220)],
        'Oligo': [cell_at(rng, R_OUT - 250, R_OUT - 20) for _ in range(90)],
        'MGE': [cell_at(rng, R_PYR + 200, R_OUT - 300) for _ in range(40)],
        'VIP': [cell_at(rng, R_IN + 100, R_PYR - 200) for _ in range(25)],
    }
    rows = []
    for cls, (genes, n) in CA1_CLASSES.items():
        for g in genes:
            for _ in range(n):
                while True:
                    x0, y0 = rng.choice(cells[cls])
                    x, y = int(rng.gauss(x0, 25)), int(rng.gauss(y0, 25))
                    if in_arc(x, y):
                        break
                rows.append((g, x, y))
    for g in ('Cplx2', 'Enc1', 'Aldoc', 'Prkca'):
        for _ in range(3000):
            while True:
                x, y = int(rng.uniform(0, W)), int(rng.uniform(0, H))
                if in_arc(x, y):
                    break
            rows.append((g, x, y))
    rng.shuffle(rows)
    with open(os.path.join(OUT, 'ca1_standin.csv'), 'w') as f:
        f.write('Gene,x,y\n')
        for g, x, y in rows:
            f.write(f'{g},{x},{y}\n')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    mob(random.Random(12))
    ca1(random.Random(1212))
