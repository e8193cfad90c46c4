// Cold first image (part of npm run bench:ui): fresh browser contexts (empty HTTP cache, new worker, WASM compiled
// anew) open the app on the WASM backend and run the default graph once; a returning target opens it a second time
// in the same context. The progress area's texts are recorded with
// their times in the page (a MutationObserver), so each stage's share of the first image comes from what the user
// sees: page to editor, worker start, then every stage the run reports (model loads, encoding, sampling, decoding).
import type { Browser, Page } from 'playwright-core'
import { engineAloneSample } from './engine-alone.js'
import { median } from './stats.js'

interface StageWindow {
  __stageLog: { text: string; at: number }[]
  __readyAt?: number
  __editorAt?: number
}

/** Records, from navigation on, the progress label's texts and when the backend badge turned ready. */
function recordStages(): void {
  const w = window as unknown as StageWindow
  w.__stageLog = []
  const check = (): void => {
    const now = performance.now()
    if (w.__editorAt === undefined && document.querySelector('[data-testid=graph-canvas]')) w.__editorAt = now
    if (w.__readyAt === undefined && document.querySelector('[data-testid=backend-indicator]')?.getAttribute('data-state') === 'ready') w.__readyAt = now
    const label = document.querySelector('[data-testid=progress] .label')?.textContent
    if (!label) return
    const text = label.replace(/ · -?\d+\.\d s$/, '').replace(/ step \d+ of \d+$/, '')
    if (w.__stageLog[w.__stageLog.length - 1]?.text !== text) w.__stageLog.push({ text, at: now })
  }
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
}

export interface ColdStartSample {
  /** Milliseconds by stage, in the order first seen. */
  readonly stages: ReadonlyMap<string, number>
}

/** Model files the default graph reads, as their URLs end: a returning browser has them in the Cache API. */
const CACHED_MODEL_FILES = ['/text_encoder/model.onnx', '/unet/model.onnx', '/vae_decoder/model.onnx', '.safetensors']

async function oneColdStart(browser: Browser, target: ColdStartTarget): Promise<ColdStartSample> {
  if (target.engineAlone) return engineAloneSample(browser, target.url)
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  try {
    const page = await context.newPage()
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.addInitScript(recordStages)
    if (target.returning) {
      // A first visit, not measured: it fills the HTTP cache, V8's code cache of the compiled WASM and the models'
      // Cache API copies (written once the engine is idle), then the page is opened again in the same profile.
      await loadAndRun(page, target.url, false)
      await page.waitForFunction(
        async (wanted) => {
          const urls: string[] = []
          for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
          return wanted.every((end) => urls.some((url) => url.endsWith(end)))
        },
        CACHED_MODEL_FILES,
        { timeout: 120_000, polling: 250 },
      )
      await page.waitForTimeout(3000)
    }
    return await loadAndRun(page, target.url, target.clickAfterWarmUp ?? false)
  } finally {
    await context.close()
  }
}

/** Opens the app in `page`, clicks Run (at once, or after the warm-up) and times each stage up to the image. */
async function loadAndRun(page: Page, url: string, clickAfterWarmUp: boolean): Promise<ColdStartSample> {
  await page.goto(url)
  // Ready, with the default graph on the canvas (a click before it is shown would run an empty graph).
  await page.waitForFunction(
    () => (window as unknown as StageWindow).__readyAt !== undefined && window.__hypersd !== undefined && Object.values(window.__hypersd.nodeTypes()).includes('SaveImage'),
    null,
    { timeout: 120_000 },
  )
  // A user who looks at the graph until the toolbar stops saying "loading models…", then clicks Run.
  const warmedAt = clickAfterWarmUp
    ? await page
        .waitForFunction(() => (window.__hypersd!.warmUp().state === 'done' ? performance.now() : false), null, { timeout: 120_000, polling: 20 })
        .then((handle) => handle.jsonValue() as Promise<number>)
    : undefined
  const clickedAt = await page.evaluate(() => {
    window.__hypersd!.run()
    return performance.now()
  })
  await page.waitForFunction(
    () => {
      const run = window.__hypersd!.lastRun()
      return run.status === 'done' || run.status === 'error'
    },
    null,
    { timeout: 300_000, polling: 50 },
  )
  const { log, readyAt, editorAt, run } = await page.evaluate(() => {
    const w = window as unknown as StageWindow
    return { log: w.__stageLog, readyAt: w.__readyAt!, editorAt: w.__editorAt ?? w.__readyAt!, run: window.__hypersd!.lastRun() }
  })
  if (run.status !== 'done') throw new Error(`cold run failed: ${run.error ?? run.status}`)
  const stages = new Map<string, number>()
  const add = (name: string, ms: number): void => void stages.set(name, (stages.get(name) ?? 0) + ms)
  add('page load to editor shown', editorAt)
  add('engine worker ready (after editor)', Math.max(0, readyAt - editorAt))
  if (warmedAt !== undefined) add('models loaded (navigation to warm-up done)', warmedAt)
  const during = log.filter((e) => e.at >= clickedAt)
  const doneAt = during.find((e) => e.text.startsWith('done'))?.at ?? during[during.length - 1]!.at
  for (let i = 0; i < during.length; i++) {
    const entry = during[i]!
    if (entry.text.startsWith('done')) break
    add(`run: ${entry.text}`, (during[i + 1]?.at ?? doneAt) - entry.at)
  }
  add('run total (click to image)', doneAt - clickedAt)
  add('cold first image (navigation to image)', doneAt)
  return { stages }
}

export interface ColdStartTarget {
  /** Column title, e.g. "after" or "before". */
  readonly label: string
  /** The app's URL (with ?backend=wasm). */
  readonly url: string
  /** Click Run once the open graph's warm-up is done (a user who looked at the graph first), not at once. */
  readonly clickAfterWarmUp?: boolean
  /** Measure a second visit in the same profile (caches filled by a first, unmeasured one), not a fresh profile. */
  readonly returning?: boolean
  /** The engine worker alone on a bare page, with what the app at `url` sends it (bench/engine-alone.ts). */
  readonly engineAlone?: boolean
}

/**
 * Runs `rounds` cold starts of each target, interleaved (round 1 of every target, then round 2, ...) so that a busy
 * machine's load falls on all of them alike, and prints each stage's min / median / max per target side by side.
 */
export async function coldStartBreakdown(browser: Browser, targets: readonly ColdStartTarget[], rounds: number): Promise<string[]> {
  const samples = targets.map((): ColdStartSample[] => [])
  for (let i = 0; i < rounds; i++) for (const [t, target] of targets.entries()) samples[t]!.push(await oneColdStart(browser, target))
  const names: string[] = []
  for (const s of samples.flat()) for (const name of s.stages.keys()) if (!names.includes(name)) names.push(name)
  const width = Math.max(...names.map((n) => n.length))
  const f = (v: number): string => v.toFixed(0).padStart(6)
  const column = 3 * 7 - 1
  const lines = [
    `  cold first image on WASM, default graph, ${rounds} page loads per column (fresh profiles; returning: the second visit of one), interleaved (min / median / max, ms):`,
    `    ${''.padEnd(width)}${targets.map((t) => `  ${t.label.padStart(column)}`).join('')}`,
  ]
  for (const name of names) {
    const cells = samples.map((list) => {
      const values = list.map((s) => s.stages.get(name) ?? 0)
      return `${f(Math.min(...values))} ${f(median(values))} ${f(Math.max(...values))}`
    })
    lines.push(`    ${name.padEnd(width)}${cells.map((c) => `  ${c}`).join('')}`)
  }
  return lines
}
