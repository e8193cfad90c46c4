// `npm run bench:opfs [-- --runs N]`: peak memory of loading a 1 GB model file from OPFS through the product (a
// picked folder in the Models panel, the worker's folder source, onnxruntime-web on WASM), against the same graph
// without the big file. The tiny SD1.5 UNet gets an extra, unused 1 GB initializer in model.onnx_data, so its load
// reads 1 GB from OPFS and hands it to onnxruntime; the sampler's work is that of the tiny model either way.
// Prints per run the peak RSS the run added to the page's renderer process (which holds the worker's JS heap, its
// ArrayBuffers and the WASM heap), and the difference to the plain run per byte of the file, twice: with the big
// initializer unused (onnxruntime-web then never copies it into its heap, so what is left is the JS side: 1 means
// one JS copy, 2 would mean a second) and used (the JS copy plus onnxruntime's copies in the WASM heap).
// Needs `npm run build`. Not a CI test: about two minutes and 4 GB per round.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { decodeModel, encodeModel } from '../src/models/onnx/codec.js'
import { requireGraph } from '../src/models/onnx/graph.js'
import { makeAttribute, makeNode, makeTensor } from '../src/models/onnx/factories.js'
import { DataLocation, DataType } from '../src/models/onnx/types.js'
import { lastRun, openApp, waitForRunAfter } from '../tests/browser/harness.js'
import { spread } from './stats.js'

const args = process.argv.slice(2)
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 3)
const FILE_BYTES = 1_000_000_000
const TINY = resolve('public/models/tiny-sd15')
const GRAPH = JSON.parse(readFileSync('graphs/tiny-sd15-4step.json', 'utf8')) as { nodes: { type: string; inputs: Record<string, unknown> }[] }

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
}

/**
 * The tiny UNet with a FLOAT initializer of FILE_BYTES in model.onnx_data that its output depends on (+ 0 x its
 * maximum), so onnxruntime must bring all of it into the WASM heap, as it does for real weights; an unused one would
 * stay outside (onnxruntime-web reads external data into the heap only for initializers it keeps).
 */
function fatUnet(used: boolean): string {
  const model = decodeModel(new Uint8Array(readFileSync(join(TINY, 'unet', 'model.onnx'))))
  const padding = makeTensor({ name: 'bench_padding', dims: [FILE_BYTES / 4], dataType: DataType.FLOAT })
  padding.externalData = [
    { key: 'location', value: 'model.onnx_data' },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(FILE_BYTES) },
  ]
  padding.dataLocation = DataLocation.EXTERNAL
  const graph = requireGraph(model)
  graph.initializer.push(padding, makeTensor({ name: 'bench_zero', dims: [], dataType: DataType.FLOAT, floatData: [0] }))
  if (!used) return Buffer.from(encodeModel(model)).toString('base64')
  const output = graph.output[0]!.name!
  const producer = graph.node.find((n) => n.output.includes(output))!
  producer.output = producer.output.map((o) => (o === output ? 'bench_raw' : o))
  graph.node.push(
    makeNode({ opType: 'ReduceMax', input: ['bench_padding'], output: ['bench_max'], attribute: [makeAttribute('keepdims', 0)] }),
    makeNode({ opType: 'Mul', input: ['bench_max', 'bench_zero'], output: ['bench_nothing'] }),
    makeNode({ opType: 'Add', input: ['bench_raw', 'bench_nothing'], output: [output] }),
  )
  return Buffer.from(encodeModel(model)).toString('base64')
}

/** RSS of each renderer process (Chromium's pages and their workers), by pid. */
function rendererRss(): Map<string, number> {
  const found = new Map<string, number>()
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue
      found.set(pid, Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024)
    } catch {
      // the process ended between the listing and the read
    }
  }
  return found
}

/** Copies tiny-sd15 into OPFS folder `name` (with the fat UNet when given) and adds it through the Models panel. */
async function addFolder(page: Page, name: string, unetBase64: string | undefined): Promise<void> {
  const files = filesUnder(TINY).filter((f) => !(unetBase64 && f === join('unet', 'model.onnx')))
  // tsx names inner functions through an __name helper that the page does not have.
  await page.evaluate('globalThis.__name = (fn) => fn')
  await page.evaluate(
    async ({ name, files, unetBase64, bytes }) => {
      const root = await navigator.storage.getDirectory()
      const folder = await root.getDirectoryHandle(name, { create: true })
      const write = async (path: string, data: Blob | Uint8Array | (() => AsyncIterable<Uint8Array>)) => {
        const parts = path.split('/')
        let dir = folder
        for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true })
        const writable = await (await dir.getFileHandle(parts.at(-1)!, { create: true })).createWritable()
        if (typeof data === 'function') for await (const chunk of data()) await writable.write(chunk as Uint8Array<ArrayBuffer>)
        else await writable.write(data as Blob)
        await writable.close()
      }
      for (const path of files) await write(path, await (await fetch(`models/tiny-sd15/${path}`)).blob())
      if (unetBase64) {
        await write('unet/model.onnx', Uint8Array.from(atob(unetBase64), (c) => c.charCodeAt(0)))
        const zeros = new Uint8Array(50_000_000)
        await write('unet/model.onnx_data', async function* () {
          for (let written = 0; written < bytes; written += zeros.length) yield zeros
        })
      }
      ;(window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => folder
    },
    { name, files, unetBase64, bytes: FILE_BYTES },
  )
  await page.click('[data-testid=models-tab]')
  await page.click('[data-testid=models-add-folder]')
  await page.locator(`[data-testid=model-row][data-model-name="${name}"][data-model-state=ready]`).waitFor({ timeout: 120_000 })
}

/** Peak RSS the run adds to the largest Chromium process, in bytes. */
type Variant = 'plain' | 'unused' | 'used'

async function measure(variant: Variant, unetBase64: string | undefined): Promise<number> {
  const app = await openApp({ query: '?backend=wasm' })
  try {
    await addFolder(app.page, `bench-${variant}`, unetBase64)
    const graph = structuredClone(GRAPH)
    for (const node of graph.nodes) {
      if (node.type === 'LoadPipeline') node.inputs.model = `bench-${variant}`
      if (node.type === 'EmptyLatent') Object.assign(node.inputs, { width: 64, height: 64 })
    }
    await app.page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(graph))
    await new Promise((settle) => setTimeout(settle, 2000))
    // Per renderer: the browser process also grows (a fresh profile keeps OPFS in memory), but the page's worker,
    // its JS heap, its ArrayBuffers and the WASM heap all live in the page's renderer.
    const before = rendererRss()
    const peak = new Map(before)
    const sampler = setInterval(() => {
      for (const [pid, rss] of rendererRss()) peak.set(pid, Math.max(peak.get(pid) ?? 0, rss))
    }, 20)
    const previous = (await lastRun(app.page)).runId
    await app.page.click('[data-testid=run-button]')
    const run = await waitForRunAfter(app.page, previous, 300_000)
    clearInterval(sampler)
    if (run.status !== 'done') throw new Error(`${variant} run: ${run.status}: ${run.error ?? ''}`)
    return Math.max(...[...peak].map(([pid, rss]) => rss - (before.get(pid) ?? rss)))
  } finally {
    await app.close()
  }
}

if (!statSync('dist/index.html', { throwIfNoEntry: false })) throw new Error('dist/ is missing: run npm run build')
const unets: Record<Variant, string | undefined> = { plain: undefined, unused: fatUnet(false), used: fatUnet(true) }
const GB = 1e9
const perByte: Record<'unused' | 'used', number[]> = { unused: [], used: [] }
for (let i = 0; i < runs; i++) {
  const added: Partial<Record<Variant, number>> = {}
  for (const variant of ['plain', 'unused', 'used'] as const) added[variant] = await measure(variant, unets[variant])
  perByte.unused.push((added.unused! - added.plain!) / FILE_BYTES)
  perByte.used.push((added.used! - added.plain!) / FILE_BYTES)
  console.log(`run ${i + 1}: peak added: plain ${(added.plain! / GB).toFixed(2)} GB, 1 GB file unused ${(added.unused! / GB).toFixed(2)} GB, used ${(added.used! / GB).toFixed(2)} GB`)
}
console.log(`1 GB file in OPFS, WASM: peak bytes per file byte, file unused by the graph (the JS copy only): ${spread(perByte.unused, 2)}`)
console.log(`1 GB file in OPFS, WASM: peak bytes per file byte, file used by the graph (JS copy + onnxruntime's heap copies): ${spread(perByte.used, 2)}`)
