// Scores raw 64x64 RGB images (uint8, n x 64 x 64 x 3, as training/probes write them) against captions (a JSON
// list) with the product's Scene Score; prints all-right and per-attribute accuracy. For the training probes.
import { readFileSync } from 'node:fs'
import { scoreScene } from '../../src/scene/index.js'
const caps: string[] = JSON.parse(readFileSync(process.argv[3] ?? `${process.env.HYPERSHAPES_DIAG ?? '/tmp/diag'}/caps.json`, 'utf8'))
const raw = readFileSync(process.argv[2]!)
const S = 64, N = caps.length
const c: Record<string, number> = {}; let all = 0
for (let i = 0; i < N; i++) {
  const o = new Uint8Array(S * S * 4)
  for (let p = 0; p < S * S; p++) { for (let ch = 0; ch < 3; ch++) o[p * 4 + ch] = raw[(i * S * S + p) * 3 + ch]!; o[p * 4 + 3] = 255 }
  const r = scoreScene(caps[i]!, { width: S, height: S, data: o })
  if (r.allRight) all++
  for (const x of r.results) c[x.attribute] = (c[x.attribute] ?? 0) + (x.right ? 1 : 0)
}
console.log(process.argv[2], 'all', (all / N).toFixed(3), Object.entries(c).map(([k, v]) => `${k} ${(v / N).toFixed(3)}`).join(' '))
