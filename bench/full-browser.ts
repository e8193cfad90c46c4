// `npm run bench:full:browser [-- sd15|sdxl] [--backend wasm|webgpu] [--size PX] [--timeout S]`: the full-size twin
// in Debian's Chromium through the product itself (the built app, its worker, session cache and preflight): one
// graph run of 1 UNet step at 256x256 (text encoder, UNet, VAE decode). Prints the run's outcome (done, or the
// error the app showed, e.g. the preflight's refusal), its time, and the peak RSS of Chromium's processes sampled
// from /proc (the worker's WASM heap lives in the renderer process). Not a CI test: minutes and gigabytes.
// Needs `npm run build` and `npm run models -- --full sd15|sdxl`.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { lastRun, openApp, waitForRunAfter } from '../tests/browser/harness.js'

const args = process.argv.slice(2)
const name = args.find((a) => a === 'sd15' || a === 'sdxl') ?? 'sd15'
const flag = (f: string, fallback: string) => (args.includes(f) ? args[args.indexOf(f) + 1]! : fallback)
const backend = flag('--backend', 'wasm')
const size = Number(flag('--size', '256'))
const timeoutS = Number(flag('--timeout', '1200'))
const folder = resolve('.models', `full-${name}`)
if (!existsSync(folder)) throw new Error(`${folder} is missing: run npm run models -- --full ${name}`)
if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run npm run build')
// npm start's build links dist/models to public/models: the twin's link would land in the repository's public/models.
if (lstatSync('dist/models').isSymbolicLink()) throw new Error('dist/ is npm start\'s build (dist/models links to public/models): run npm run build first')

/** Every Chromium process's RSS, in bytes. */
function chromiumRss(): { total: number; largest: number } {
  let total = 0
  let largest = 0
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      if (!/^Name:\s+(chromium|chrome)/m.test(status)) continue
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
      total += rss
      largest = Math.max(largest, rss)
    } catch {
      // the process ended between the listing and the read
    }
  }
  return { total, largest }
}

// The app reads models from dist/models/: link the twin in for the run.
const link = resolve('dist', 'models', `full-${name}`)
rmSync(link, { force: true })
symlinkSync(folder, link)
const graph = JSON.parse(readFileSync(join('graphs', name === 'sd15' ? 'tiny-sd15-1step.json' : 'tiny-sdxl-lcm-1step.json'), 'utf8')) as {
  nodes: { type: string; inputs: Record<string, unknown> }[]
}
for (const node of graph.nodes) {
  if (node.type === 'LoadPipeline') node.inputs.model = `full-${name}`
  if (node.type === 'EmptyLatent') Object.assign(node.inputs, { width: size, height: size })
  // The graph's tiny stand-in LoRA does not fit a full-size model: scale 0 leaves the base model (no LoRA read).
  if (node.type === 'UNetLoRA') node.inputs.scale = 0
}

let peak = { total: 0, largest: 0 }
const sampler = setInterval(() => {
  const now = chromiumRss()
  peak = { total: Math.max(peak.total, now.total), largest: Math.max(peak.largest, now.largest) }
}, 250)
const app = await openApp({ webgpu: backend === 'webgpu', query: `?backend=${backend}` })
try {
  await app.page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(graph))
  const before = (await lastRun(app.page)).runId
  const started = performance.now()
  await app.page.click('[data-testid=run-button]')
  const run = await waitForRunAfter(app.page, before, timeoutS * 1000).catch((e: Error) => ({ status: 'timeout', error: e.message, backend, ms: NaN }))
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const GiB = 2 ** 30
  console.log(`${name} twin in Chromium (${run.backend}), ${size}x${size}, 1 UNet step: ${run.status} in ${seconds} s`)
  if (run.error) console.log(`  message: ${run.error}`)
  console.log(`  peak RSS: largest Chromium process ${(peak.largest / GiB).toFixed(2)} GiB, all Chromium processes ${(peak.total / GiB).toFixed(2)} GiB`)
} finally {
  clearInterval(sampler)
  await app.close()
  rmSync(link, { force: true })
}
