// Cold first image (part of npm run bench:ui): fresh browser contexts (empty HTTP cache, new worker, WASM compiled
// anew) open the app on the WASM backend and run the default graph once. The progress area's texts are recorded with
// their times in the page (a MutationObserver), so each stage's share of the first image comes from what the user
// sees: page to editor, worker start, then every stage the run reports (model loads, encoding, sampling, decoding).
import type { Browser } from 'playwright-core'
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

async function oneColdStart(browser: Browser, url: string): Promise<ColdStartSample> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  try {
    const page = await context.newPage()
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.addInitScript(recordStages)
    await page.goto(url)
    await page.waitForFunction(() => (window as unknown as StageWindow).__readyAt !== undefined && window.__hypersd !== undefined, null, { timeout: 120_000 })
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
  } finally {
    await context.close()
  }
}

/** Runs `rounds` cold starts and prints each stage's min / median / max. */
export async function coldStartBreakdown(browser: Browser, url: string, rounds: number): Promise<string[]> {
  const samples: ColdStartSample[] = []
  for (let i = 0; i < rounds; i++) samples.push(await oneColdStart(browser, url))
  const names: string[] = []
  for (const s of samples) for (const name of s.stages.keys()) if (!names.includes(name)) names.push(name)
  const width = Math.max(...names.map((n) => n.length))
  const lines = [`  cold first image on WASM, default graph, ${rounds} fresh page loads (min / median / max, ms):`]
  for (const name of names) {
    const values = samples.map((s) => s.stages.get(name) ?? 0)
    const f = (v: number): string => v.toFixed(0).padStart(6)
    lines.push(`    ${name.padEnd(width)}  ${f(Math.min(...values))} ${f(median(values))} ${f(Math.max(...values))}`)
  }
  return lines
}
