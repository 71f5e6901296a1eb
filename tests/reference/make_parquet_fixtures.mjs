// Xenium-like transcripts.parquet written by an independent Parquet implementation (hyparquet-writer, JavaScript),
// for the tests of SpatialSim's ParquetSharp-based reader.
//
// Run (npm is reachable; nothing is installed into the repository):
//   npm install --prefix /tmp/spatialsim-npm hyparquet-writer@0.17.0 hyparquet@1.33.0
//   node tests/reference/make_parquet_fixtures.mjs /tmp/spatialsim-npm
//
// Writes tests/reference/fixtures/parquet/:
//   xenium_hyparquet.parquet  1,500 molecules in Xenium's columns (transcript_id INT64, cell_id, feature_name STRING,
//                             x_location, y_location, z_location, qv FLOAT), row groups of 400 rows and 4 KiB pages (so
//                             column chunks span several pages), SNAPPY, dictionary encoding where hyparquet-writer
//                             chooses it; 8% control codewords, 10% of rows with qv < 20 (some exactly 20)
//   xenium_hyparquet.gem      the molecules with qv >= 20 as a text table (geneID, x, y), coordinates printed exactly
//                             (JavaScript prints the shortest decimal that reads back as the same double)
//   versions.json
// and samples/xenium_like_mouse_brain/transcripts.parquet: a synthetic stand-in for a Xenium run (no Xenium data may be
// shipped here) made from the bundled Stereo-seq patch (BSD-2): every UMI of the 138 genes with at least 100 UMIs becomes
// one molecule at its DNB's position in µm (0.5 µm per DNB, origin at the patch corner) plus a uniform jitter within the
// DNB, with a qv (8% below 20) and 2% control codewords spread at random; Xenium's columns. 31,329 + controls rows.
// Every file is read back with hyparquet before it is accepted.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath, pathToFileURL } from 'node:url'

const prefix = process.argv[2] ?? '/tmp/spatialsim-npm'
const load = name => import(pathToFileURL(path.join(prefix, 'node_modules', name, 'src', name === 'hyparquet' ? 'index.js' : 'node.js')).href)
const { parquetWriteFile } = await load('hyparquet-writer')
const { parquetReadObjects } = await load('hyparquet')
const version = name => JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', name, 'package.json'))).version

const here = path.dirname(fileURLToPath(import.meta.url))
const out = path.join(here, 'fixtures', 'parquet')
fs.mkdirSync(out, { recursive: true })

// mulberry32: a small deterministic generator
let state = 20261203
function random() {
  state = (state + 0x6D2B79F5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const genes = ['Slc17a7', 'Gad1', 'Pvalb', 'Sst', 'Vip', 'Gfap', 'Aqp4', 'Mbp']
const controls = ['NegControlProbe_00042', 'BLANK_0006', 'UnassignedCodeword_0123', 'DeprecatedCodeword_0007']
const n = 1500
const rows = { id: [], cell: [], gene: [], x: [], y: [], z: [], qv: [] }
for (let i = 0; i < n; i++) {
  const gene = random() < 0.08 ? controls[Math.floor(random() * controls.length)] : genes[Math.floor(random() * genes.length)]
  const k = genes.indexOf(gene)
  rows.id.push(BigInt(281474976710656 + i))
  rows.cell.push(random() < 0.3 ? 'UNASSIGNED' : `aaab${Math.floor(random() * 50)}-1`)
  rows.gene.push(gene)
  rows.x.push(Math.fround(200 + 15 * (k < 0 ? 3 : k) + 40 * random()))
  rows.y.push(Math.fround(150 + 30 * random() + (k < 0 ? 0 : 4 * k)))
  rows.z.push(Math.fround(10 + random()))
  const q = random()
  rows.qv.push(Math.fround(q < 0.08 ? 19.99 * random() : q < 0.1 ? 20 : 20 + 20 * random()))
}

const file = path.join(out, 'xenium_hyparquet.parquet')
parquetWriteFile({
  filename: file,
  columnData: [
    { name: 'transcript_id', data: rows.id, type: 'INT64' },
    { name: 'cell_id', data: rows.cell, type: 'STRING' },
    { name: 'feature_name', data: rows.gene, type: 'STRING' },
    { name: 'x_location', data: rows.x, type: 'FLOAT' },
    { name: 'y_location', data: rows.y, type: 'FLOAT' },
    { name: 'z_location', data: rows.z, type: 'FLOAT' },
    { name: 'qv', data: rows.qv, type: 'FLOAT' },
  ],
  rowGroupSize: 400,
  pageSize: 4096,
})

// Read back with hyparquet: the file must hold exactly what was written.
const buffer = fs.readFileSync(file)
const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)
const back = await parquetReadObjects({ file: arrayBuffer })
if (back.length !== n) throw new Error(`read back ${back.length} rows`)
back.forEach((r, i) => {
  if (r.feature_name !== rows.gene[i] || r.x_location !== rows.x[i] || r.y_location !== rows.y[i] || r.qv !== rows.qv[i])
    throw new Error(`row ${i} reads back differently`)
})

let gem = 'geneID\tx\ty\n'
for (let i = 0; i < n; i++) if (rows.qv[i] >= 20) gem += `${rows.gene[i]}\t${rows.x[i]}\t${rows.y[i]}\n`
fs.writeFileSync(path.join(out, 'xenium_hyparquet.gem'), gem)
fs.writeFileSync(path.join(out, 'versions.json'), JSON.stringify({
  node: process.version, 'hyparquet-writer': version('hyparquet-writer'), hyparquet: version('hyparquet'),
}, null, 1) + '\n')
console.log(`wrote ${file} (${fs.statSync(file).size} bytes), ${back.length} rows verified`)

// ---- the Xenium-like sample from the Stereo-seq patch
const gemPath = path.join(here, '..', '..', 'samples', 'stereoseq_mouse_brain_bin1', 'SS200000135TL_D1_bin1_small.gem.gz')
const gemRows = zlib.gunzipSync(fs.readFileSync(gemPath)).toString('utf8').split('\n').slice(1).filter(l => l).map(l => l.split('\t'))
const totals = new Map()
for (const [g, , , c] of gemRows) totals.set(g, (totals.get(g) ?? 0) + Number(c))
const sample = { id: [], cell: [], gene: [], x: [], y: [], z: [], qv: [] }
state = 20261204
function molecule(gene, x, y) {
  sample.id.push(BigInt(281474976710656 + sample.id.length))
  sample.cell.push('UNASSIGNED')
  sample.gene.push(gene)
  sample.x.push(Math.fround(x))
  sample.y.push(Math.fround(y))
  sample.z.push(Math.fround(8 + 4 * random()))
  sample.qv.push(Math.fround(random() < 0.08 ? 19.99 * random() : 20 + 20 * random()))
}
for (const [g, xs, ys, c] of gemRows) {
  if (totals.get(g) < 100) continue
  for (let k = 0; k < Number(c); k++) molecule(g, (Number(xs) - 9600 + random()) * 0.5, (Number(ys) - 12600 + random()) * 0.5)
  if (random() < 0.02 * Number(c)) molecule(controls[Math.floor(random() * controls.length)], 150 * random(), 150 * random())
}
const sampleDir = path.join(here, '..', '..', 'samples', 'xenium_like_mouse_brain')
fs.mkdirSync(sampleDir, { recursive: true })
const sampleFile = path.join(sampleDir, 'transcripts.parquet')
parquetWriteFile({
  filename: sampleFile,
  columnData: [
    { name: 'transcript_id', data: sample.id, type: 'INT64' },
    { name: 'cell_id', data: sample.cell, type: 'STRING' },
    { name: 'feature_name', data: sample.gene, type: 'STRING' },
    { name: 'x_location', data: sample.x, type: 'FLOAT' },
    { name: 'y_location', data: sample.y, type: 'FLOAT' },
    { name: 'z_location', data: sample.z, type: 'FLOAT' },
    { name: 'qv', data: sample.qv, type: 'FLOAT' },
  ],
  rowGroupSize: 10000,
})
const sampleBuffer = fs.readFileSync(sampleFile)
const sampleBack = await parquetReadObjects({ file: sampleBuffer.buffer.slice(sampleBuffer.byteOffset, sampleBuffer.byteOffset + sampleBuffer.byteLength) })
if (sampleBack.length !== sample.id.length || sampleBack.some((r, i) => r.feature_name !== sample.gene[i] || r.x_location !== sample.x[i]))
  throw new Error('the sample reads back differently')
console.log(`wrote ${sampleFile} (${fs.statSync(sampleFile).size} bytes), ${sampleBack.length} rows verified`)
