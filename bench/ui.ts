// UI benchmark in headless Chromium on the built app (npm run bench:ui):
//  1. the longest main-thread task while a graph runs (PerformanceObserver 'longtask'; target: none over 50 ms),
//     plus the longest gap between animation frames as a second view of the same thing;
//  2. the time to load a generated 500-node graph into the editor (until the next frame is drawn);
//  3. the frame rate while panning that graph (target: >= 50 fps), zoomed out to show all of it and at 100 %;
//  4. the cold first image: each stage's time over several fresh page loads (bench/cold-start.ts; rounds from
//     HYPERSD_BENCH_COLD_ROUNDS, default 5; 0 skips it), and the engine worker alone on a bare page (the floor
//     under it: what the first image costs with no editor starting beside it, bench/engine-alone.ts). HYPERSD_BENCH_COLD_BEFORE=<another dist> measures that build's
//     cold start too, in rounds interleaved with this one's, printed side by side (e.g. a dist built from an earlier
//     commit: git archive <commit> | tar -x -C /tmp/old, symlink node_modules, vite build there). Each build's
//     second visit in one profile (HTTP, code and model caches filled by a first) is measured too, unless
//     HYPERSD_BENCH_COLD_RETURNING=0;
//  5. the editor at rest: Chromium's CPU time over 5 s with nothing changing (bench/idle-cpu.ts; rounds from
//     HYPERSD_BENCH_IDLE_ROUNDS, default 3; against HYPERSD_BENCH_COLD_BEFORE's build too when given).
// Uses the existing dist/ when HYPERSD_BENCH_DIST is set, else builds into dist/ (self-contained) through npm start's build check, skipped when that build is current.
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { ensureBuilt } from '../scripts/app/build.js'
import { serveApp } from '../scripts/app/serve.js'
import { coldStartBreakdown } from './cold-start.js'
import { idleCpuLines } from './idle-cpu.js'
import { coldStartTargets, launchBenchBrowser } from './bench-browser.js'

const root = resolve(import.meta.dirname, '..')

/** What a long animation frame spent its time on (the Long Animation Frames API), longest script first. */
interface FrameBlame {
  start: number
  duration: number
  /** Time past 50 ms of the long tasks in the frame: 0 when the frame was late without blocking input. */
  blocking: number
  scripts: string[]
}

interface BenchWindow {
  __longTasks: { start: number; duration: number }[]
  __longFrames: FrameBlame[]
  __frameGaps: number[]
  __watching: boolean
}

/** A 500-node graph: 71 copies of the 7-node text-to-image pipeline (plus 3 notes), laid out on a grid. */
export function generateGraph(nodeCount = 500): string {
  const nodes: object[] = []
  const layout: Record<string, { pos: [number, number] }> = {}
  let id = 0
  const add = (type: string, inputs: Record<string, unknown>, x: number, y: number): string => {
    const key = String(++id)
    nodes.push({ id: key, type, version: 1, inputs })
    layout[key] = { pos: [x, y] }
    return key
  }
  const copies = Math.floor(nodeCount / 7)
  for (let c = 0; c < copies; c++) {
    const x0 = (c % 8) * 1900
    const y0 = Math.floor(c / 8) * 700
    const load = add('LoadPipeline', { model: 'tiny-sd15' }, x0, y0)
    const text = add('CLIPTextEncode', { clip: { from: [load, 'clip'] }, text: `prompt ${c}` }, x0 + 300, y0)
    const latent = add('EmptyLatent', { width: 256, height: 256, batch: 1 }, x0 + 300, y0 + 260)
    const sampler = add('TSCDSampler', { model: { from: [load, 'unet'] }, positive: { from: [text, 'conditioning'] }, latent: { from: [latent, 'latent'] }, seed: c }, x0 + 620, y0)
    const decode = add('VAEDecode', { vae: { from: [load, 'vae'] }, latent: { from: [sampler, 'latent'] } }, x0 + 940, y0)
    add('PreviewImage', { image: { from: [decode, 'image'] } }, x0 + 1200, y0)
    add('Note', { text: `copy ${c}` }, x0, y0 + 300)
  }
  while (id < nodeCount) add('Note', { text: 'filler' }, -400, id * 10)
  return JSON.stringify({ format: 'hyper-sd-studio/graph', version: 1, nodes, layout: { nodes: layout }, metadata: { name: `${nodeCount}-node benchmark` } })
}

async function measureRun(page: Page): Promise<{ longest: number; count: number; maxFrameGap: number; runMs: number; blame: string[] }> {
  const since = await page.evaluate(() => {
    const w = window as unknown as BenchWindow
    w.__frameGaps = []
    w.__watching = true
    let last = performance.now()
    const tick = (now: number): void => {
      w.__frameGaps.push(now - last)
      last = now
      if (w.__watching) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    return performance.now()
  })
  const runMs = await page.evaluate(async () => {
    const before = window.__hypersd!.lastRun().runId
    window.__hypersd!.run()
    const started = performance.now()
    for (;;) {
      await new Promise((r) => setTimeout(r, 50))
      const run = window.__hypersd!.lastRun()
      if (run.runId !== before && ['done', 'error', 'cancelled'].includes(run.status)) {
        if (run.status !== 'done') throw new Error(`run ${run.status}: ${run.error ?? ''}`)
        return performance.now() - started
      }
    }
  })
  // Long-task entries arrive asynchronously; let the observer deliver the last ones.
  await page.waitForTimeout(200)
  const result = await page.evaluate((start) => {
    const w = window as unknown as BenchWindow
    w.__watching = false
    // Entries are buffered from page load on; only those that started during this run count.
    const frames = w.__longFrames.filter((f) => f.start >= start && f.blocking > 0).sort((a, b) => b.blocking - a.blocking)
    return {
      longTasks: w.__longTasks.filter((t) => t.start >= start).map((t) => t.duration),
      maxFrameGap: Math.max(...w.__frameGaps.slice(1)),
      blame: frames.slice(0, 2).map((f) => `${Math.round(f.duration)} ms frame, ${Math.round(f.blocking)} ms blocking: ${f.scripts.join('; ') || 'no script (style, layout, paint or GC)'}`),
    }
  }, since)
  return { longest: Math.max(0, ...result.longTasks), count: result.longTasks.length, maxFrameGap: result.maxFrameGap, runMs, blame: result.blame }
}

async function measurePan(page: Page, seconds: number): Promise<number> {
  return page.evaluate(async (duration) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
    const rect = canvas.getBoundingClientRect()
    const fire = (type: string, x: number): void => {
      canvas.dispatchEvent(new PointerEvent(type, { clientX: rect.left + x, clientY: rect.top + 20, pointerId: 1, button: 0, buttons: type === 'pointerup' ? 0 : 1, bubbles: true, isPrimary: true, pointerType: 'mouse' }))
    }
    // A real drag on the canvas background: litegraph pans, redrawing every frame.
    let x = 40
    fire('pointerdown', x)
    let frames = 0
    const start = performance.now()
    await new Promise<void>((done) => {
      const step = (now: number): void => {
        frames++
        x += 3
        fire('pointermove', x)
        if (now - start < duration * 1000) requestAnimationFrame(step)
        else done()
      }
      requestAnimationFrame(step)
    })
    fire('pointerup', x)
    return frames / ((performance.now() - start) / 1000)
  }, seconds)
}

async function main(): Promise<void> {
  let dist = process.env['HYPERSD_BENCH_DIST']
  if (!dist) {
    dist = resolve(root, 'dist')
    await ensureBuilt(root, dist)
  }
  const server = await serveApp({ root: dist, host: '127.0.0.1', port: 0 })
  // Another build (e.g. of an earlier commit) whose cold start is measured next to this one's.
  const beforeDist = process.env['HYPERSD_BENCH_COLD_BEFORE']
  const before = beforeDist ? await serveApp({ root: beforeDist, host: '127.0.0.1', port: 0 }) : undefined
  const browser = await launchBenchBrowser()
  try {
    // First, while nothing else has run in this browser: every round gets a fresh context (cache, worker, WASM).
    const coldRounds = Number(process.env['HYPERSD_BENCH_COLD_ROUNDS'] ?? 5)
    const coldTargets = coldStartTargets(server.url, before?.url, process.env['HYPERSD_BENCH_COLD_RETURNING'] !== '0')
    const coldLines = coldRounds > 0 ? await coldStartBreakdown(browser, coldTargets, coldRounds) : []
    const idleRounds = Number(process.env['HYPERSD_BENCH_IDLE_ROUNDS'] ?? 3)
    const idleTargets = [{ label: 'this build', url: `${server.url}?backend=wasm` }, ...(before ? [{ label: 'before', url: `${before.url}?backend=wasm` }] : [])]
    const idleLines = idleRounds > 0 ? await idleCpuLines(browser, idleTargets, idleRounds) : []
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    // tsx keeps function names with an `__name` helper that page-side copies of these functions also call.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.addInitScript(() => {
      const w = window as unknown as BenchWindow
      w.__longTasks = []
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, duration: entry.duration })
      }).observe({ type: 'longtask', buffered: true })
      w.__longFrames = []
      // Chromium's long-animation-frame entries name the scripts behind a slow frame (where supported).
      try {
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & { blockingDuration?: number; scripts?: { invoker: string; sourceFunctionName: string; sourceURL: string; duration: number }[] })[]) {
            const scripts = [...(entry.scripts ?? [])]
              .sort((a, b) => b.duration - a.duration)
              .slice(0, 3)
              .map((x) => `${x.invoker || '?'} ${x.sourceFunctionName || ''} (${x.sourceURL.split('/').pop() ?? ''}) ${Math.round(x.duration)} ms`)
            w.__longFrames.push({ start: entry.startTime, duration: entry.duration, blocking: entry.blockingDuration ?? 0, scripts })
          }
        }).observe({ type: 'long-animation-frame', buffered: true })
      } catch {
        // Not supported by this browser: long tasks are still counted, without names.
      }
    })
    await page.goto(`${server.url}?backend=wasm`)
    // Ready, with the default graph on the canvas: the engine worker can be ready before the editor has shown it.
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=backend-indicator]')?.getAttribute('data-state') === 'ready' &&
        window.__hypersd !== undefined &&
        Object.values(window.__hypersd.nodeTypes()).includes('SaveImage'),
      null,
      { timeout: 60_000 },
    )

    const cold = await measureRun(page)
    const types = await page.evaluate(() => window.__hypersd!.nodeTypes())
    const samplerId = Object.keys(types).find((k) => types[k] === 'TSCDSampler')!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 1234), samplerId)
    const warm = await measureRun(page)

    const graph = generateGraph(500)
    const loadMs = await page.evaluate(async (json) => {
      const start = performance.now()
      await window.__hypersd!.loadGraph(json)
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      return performance.now() - start
    }, graph)
    const nodes = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length
    // Fit stops at a readable zoom; this case wants every node on screen, so zoom out to the graph's bounds.
    await page.evaluate(() => {
      const layout = (JSON.parse(window.__hypersd!.graphJson()) as { layout: { nodes: Record<string, { pos: number[]; size: number[] }> } }).layout
      const boxes = Object.values(layout.nodes)
      const left = Math.min(...boxes.map((b) => b.pos[0]!))
      const top = Math.min(...boxes.map((b) => b.pos[1]!))
      const right = Math.max(...boxes.map((b) => b.pos[0]! + b.size[0]!))
      const bottom = Math.max(...boxes.map((b) => b.pos[1]! + b.size[1]!))
      const rect = document.querySelector('[data-testid=graph-canvas]')!.getBoundingClientRect()
      const scale = 0.95 * Math.min(rect.width / (right - left), rect.height / (bottom - top))
      window.__hypersd!.zoom(scale, [(left + right) / 2, (top + bottom) / 2])
    })
    await page.waitForTimeout(300)
    await page.screenshot({ path: resolve(root, 'test-artifacts/bench-500-nodes-fitted.png') }).catch(() => undefined)
    const fpsFitted = await measurePan(page, 3)
    // 100 % zoom on the second row of pipelines, panning across it.
    await page.evaluate(() => window.__hypersd!.zoom(1, [1300, 900]))
    await page.waitForTimeout(300)
    const fpsZoomed = await measurePan(page, 3)
    await page.screenshot({ path: resolve(root, 'test-artifacts/bench-500-nodes.png') }).catch(() => undefined)

    const fmt = (n: number): string => n.toFixed(1)
    console.log('Hyper-SD Studio UI benchmark (headless Chromium, software rendering)')
    for (const [label, r] of [['first run (loads models)', cold], ['seed change (cached encoder)', warm]] as const) {
      console.log(
        `  ${label}: run ${fmt(r.runMs)} ms; longest main-thread task ${r.count ? `${fmt(r.longest)} ms (${r.count} over 50 ms)` : 'none over 50 ms'}; longest frame gap ${fmt(r.maxFrameGap)} ms  [target: no task over 50 ms]`,
      )
      for (const line of r.blame) console.log(`    ${line}`)
    }
    console.log(`  load ${nodes}-node graph: ${fmt(loadMs)} ms (parse, build, first frame)`)
    console.log(`  panning ${nodes} nodes, all in view: ${fmt(fpsFitted)} fps; at 100 % zoom: ${fmt(fpsZoomed)} fps  [target: >= 50 fps]`)
    for (const line of coldLines) console.log(line)
    for (const line of idleLines) console.log(line)
  } finally {
    await browser.close()
    await server.close()
    await before?.close()
  }
}

await main()
