// Big-graph load benchmark in headless Chromium on the built app (npm run bench:big-graph), issue 14 §2:
// loads generated chains of 1,000 and 5,000 nodes through window.__hypersd.loadGraph and prints, over 3 fresh pages
// each, the wall time until the next frame is drawn, the longest main-thread task (PerformanceObserver 'longtask')
// and the editor's own load stages (User Timing measures named "hypersd-load:*").
// Sizes from HYPERSD_BENCH_SIZES (default "500,1000,5000"), repetitions from HYPERSD_BENCH_REPS (default 3).
// Uses the existing build when HYPERSD_BENCH_DIST is set, else builds into dist/ (self-contained) through npm start's build check, skipped when that build is current.
import { resolve } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { ensureBuilt } from '../scripts/app/build.js'
import { serveApp } from '../scripts/app/serve.js'
import { chainGraph } from './big-graph-file.js'

const root = resolve(import.meta.dirname, '..')

interface LoadFigures {
  wallMs: number
  longestTaskMs: number
  tasksOver200: number
  refused: string | null
  stages: Record<string, number>
  shownNodes: number
}

async function loadOnce(browser: Browser, url: string, json: string): Promise<LoadFigures> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  try {
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] }
      w.__longTasks = []
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, duration: entry.duration })
      }).observe({ type: 'longtask', buffered: true })
    })
    await page.goto(url)
    await page.waitForFunction(() => window.__hypersd !== undefined && Object.keys(window.__hypersd.nodeTypes()).length > 0, null, { timeout: 60_000 })
    await page.waitForTimeout(500)
    const result = await page.evaluate(async (text) => {
      performance.clearMeasures()
      const start = performance.now()
      let refused: string | null = null
      // Started from a timer, as a click would: work run straight from the DevTools protocol is not a task that the
      // longtask observer sees.
      await new Promise<void>((done) =>
        setTimeout(() => {
          Promise.resolve()
            .then(() => window.__hypersd!.loadGraph(text))
            .catch((error: unknown) => {
              refused = error instanceof Error ? error.message : String(error)
            })
            .finally(done)
        }),
      )
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      const wallMs = performance.now() - start
      // Long-task entries arrive asynchronously.
      await new Promise((r) => setTimeout(r, 300))
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] }
      const tasks = w.__longTasks.filter((t) => t.start + t.duration >= start && t.start <= start + wallMs).map((t) => t.duration)
      const stages: Record<string, number> = {}
      for (const m of performance.getEntriesByType('measure')) if (m.name.startsWith('hypersd-load:')) stages[m.name.slice(13)] = (stages[m.name.slice(13)] ?? 0) + m.duration
      return { wallMs, longestTaskMs: Math.max(0, ...tasks), tasksOver200: tasks.filter((d) => d > 200).length, refused, stages, shownNodes: Object.keys(window.__hypersd!.nodeTypes()).length }
    }, json)
    return result
  } finally {
    await page.close()
  }
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  const fmt = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`)
  return `median ${fmt(sorted[Math.floor(sorted.length / 2)]!)} (${fmt(sorted[0]!)}-${fmt(sorted.at(-1)!)})`
}

async function main(): Promise<void> {
  let dist = process.env['HYPERSD_BENCH_DIST']
  if (!dist) {
    dist = resolve(root, 'dist')
    await ensureBuilt(root, dist)
  }
  const sizes = (process.env['HYPERSD_BENCH_SIZES'] ?? '500,1000,5000').split(',').map(Number)
  const reps = Number(process.env['HYPERSD_BENCH_REPS'] ?? 3)
  const server = await serveApp({ root: dist, host: '127.0.0.1', port: 0 })
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    console.log(`Hyper-SD Studio big-graph load (headless Chromium, ${reps} fresh pages per size; target: 5,000 nodes in <= 2 s, no task over 200 ms, or refused at once)`)
    for (const size of sizes) {
      const json = chainGraph(size)
      const runs: LoadFigures[] = []
      for (let r = 0; r < reps; r++) runs.push(await loadOnce(browser, `${server.url}?backend=wasm`, json))
      const refused = runs.find((x) => x.refused !== null)?.refused
      console.log(`  ${size}-node chain (${(json.length / 1e6).toFixed(2)} MB): ${refused ? `REFUSED (${refused}) in ` : `loaded ${runs.map((x) => x.shownNodes).join('/')} nodes in `}${spread(runs.map((x) => x.wallMs))}`)
      console.log(`    longest main-thread task ${spread(runs.map((x) => x.longestTaskMs))}; tasks over 200 ms: ${runs.map((x) => x.tasksOver200).join('/')}`)
      const stageNames = [...new Set(runs.flatMap((x) => Object.keys(x.stages)))]
      for (const name of stageNames) console.log(`    ${name}: ${spread(runs.map((x) => x.stages[name] ?? 0))}`)
    }
  } finally {
    await browser.close()
    await server.close()
  }
}

await main()
