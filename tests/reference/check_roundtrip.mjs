// Reads SpatialSim's Parquet edge list (pairs.parquet) with hyparquet, an independent JavaScript Parquet reader, and
// compares every row with pairs.csv. Called by make_roundtrip_fixtures.ps1: node check_roundtrip.mjs <folder> <npm prefix>.
// Adds what it checked to verified.json.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const [folder, prefix = '/tmp/spatialsim-npm'] = process.argv.slice(2)
const { parquetReadObjects, parquetMetadata } = await import(pathToFileURL(path.join(prefix, 'node_modules', 'hyparquet', 'src', 'index.js')).href)
const buffer = fs.readFileSync(path.join(folder, 'pairs.parquet'))
const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)
const rows = await parquetReadObjects({ file })
const meta = parquetMetadata(file)

// pairs.csv: Export-Csv output, quoted only where needed (the Parameters field has commas)
function parseCsv(text) {
  const out = []
  let row = [], field = '', quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false; else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' }
    else if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; row.push(field); out.push(row); row = []; field = '' }
    else field += c
  }
  if (field.length || row.length) { row.push(field); out.push(row) }
  return out
}
const [header, ...lines] = parseCsv(fs.readFileSync(path.join(folder, 'pairs.csv'), 'utf8'))
const expected = lines.map(l => Object.fromEntries(header.map((h, i) => [h, l[i]])))
if (rows.length !== expected.length) throw new Error(`${rows.length} rows, expected ${expected.length}`)
const names = meta.schema.slice(1).map(s => s.name)
const wanted = ['Rank', 'GeneA', 'GeneB', 'Score', 'PValue', 'QValue', 'Method', 'Parameters']
if (JSON.stringify(names) !== JSON.stringify(wanted)) throw new Error(`columns ${names}`)
const number = s => (s === '' ? null : Number(s))
rows.forEach((r, i) => {
  const e = expected[i]
  const same = r.Rank === Number(e.Rank) && r.GeneA === e.GeneA && r.GeneB === e.GeneB && r.Score === number(e.Score) &&
    r.PValue === number(e.PValue) && r.QValue === number(e.QValue) && r.Method === e.Method && r.Parameters === e.Parameters
  if (!same) throw new Error(`row ${i} differs: ${JSON.stringify(r)} vs ${JSON.stringify(e)}`)
})
const kv = Object.fromEntries((meta.key_value_metadata ?? []).map(k => [k.key, k.value]))
if (kv['spatialsim.method'] !== expected[0].Method) throw new Error('key-value metadata')

const verifiedPath = path.join(folder, 'verified.json')
const verified = JSON.parse(fs.readFileSync(verifiedPath, 'utf8'))
const version = JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', 'hyparquet', 'package.json'))).version
verified['pairs.parquet'] = `hyparquet ${version} (node ${process.version}): ${rows.length} rows equal to pairs.csv in every column ` +
  `(${wanted.join(', ')}); key-value metadata spatialsim.method`
fs.writeFileSync(verifiedPath, JSON.stringify(verified, null, 1) + '\n')
console.log(`pairs.parquet verified with hyparquet ${version}: ${rows.length} rows`)
