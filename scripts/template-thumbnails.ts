// Regenerates graphs/thumbnails/ (`npm run templates:thumbnails`): one PNG per graphs/*.json, rendered by the
// graph itself on onnxruntime-node when its models are bundled, else a drawn placeholder. Thumbnails whose stamp
// still matches are kept; `--force` redraws all; `--check` only lists stale ones and exits 1 if there are any.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { drawThumbnail } from './templates/thumbnail-render.js'
import { planThumbnail, readStamp, shippedGraphFiles, strayThumbnails, THUMBNAILS_DIR } from './templates/thumbnail-stamp.js'

const args = new Set(process.argv.slice(2))
const force = args.has('--force')
const check = args.has('--check')
const plans = shippedGraphFiles().map(planThumbnail)
let stale = 0

for (const plan of plans) {
  const current = existsSync(plan.path) ? readStamp(readFileSync(plan.path)).stamp : undefined
  if (current === plan.stamp && !force) continue
  stale++
  const label = `graphs/thumbnails/${basename(plan.path)} (${plan.kind}${plan.missing.length ? `: ${plan.missing.join(', ')} not bundled` : ''})`
  if (check) {
    console.log(`stale: ${label}`)
    continue
  }
  const started = performance.now()
  writeFileSync(plan.path, await drawThumbnail(plan))
  console.log(`wrote ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

for (const stray of strayThumbnails(plans)) {
  stale++
  if (check) console.log(`stray: graphs/thumbnails/${stray}`)
  else {
    rmSync(join(THUMBNAILS_DIR, stray))
    console.log(`removed graphs/thumbnails/${stray}`)
  }
}

if (stale === 0) console.log(`all ${plans.length} thumbnails are up to date`)
if (check && stale > 0) process.exitCode = 1
