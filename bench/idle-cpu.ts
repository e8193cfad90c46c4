// The editor at rest (part of npm run bench:ui): Chromium's CPU time, all its processes, over 5 s with the default
// graph open and its warm-up done, nothing touched. Read from /proc (Linux); each build in rounds interleaved with
// the others', printed side by side (min / median / max). A page that renders frames while nothing changes shows up
// here: it costs a laptop's battery, and a run's engine on a 2-core machine.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { median } from './stats.js'

/** CPU milliseconds used so far by every Chromium process (utime + stime of all its threads). */
function chromiumCpuMs(): number {
  const tick = 1000 / 100 // USER_HZ
  let total = 0
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!/^Name:\s+(chromium|chrome)/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      total += (Number(fields[11]) + Number(fields[12])) * tick
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total
}

export interface IdleTarget {
  readonly label: string
  /** The app's URL (with ?backend=wasm). */
  readonly url: string
}

const IDLE_SECONDS = 5

async function idleCpu(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  try {
    const page = await context.newPage()
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.goto(url)
    await page.waitForFunction(() => window.__hypersd !== undefined && window.__hypersd.warmUp().state === 'done', null, { timeout: 120_000 })
    // The cache copies of the models and the live LoRA's session are written once the engine is idle: let them end.
    await page.waitForFunction(() => window.__hypersd!.idleWork().pending === 0, null, { timeout: 120_000 })
    await page.waitForTimeout(3000)
    const start = chromiumCpuMs()
    await page.waitForTimeout(IDLE_SECONDS * 1000)
    return chromiumCpuMs() - start
  } finally {
    await context.close()
  }
}

export async function idleCpuLines(browser: Browser, targets: readonly IdleTarget[], rounds: number): Promise<string[]> {
  if (!existsSync('/proc/self/stat')) return ['  editor at rest: skipped (needs /proc)']
  const samples = targets.map((): number[] => [])
  for (let i = 0; i < rounds; i++) for (const [t, target] of targets.entries()) samples[t]!.push(await idleCpu(browser, target.url))
  const cell = (list: number[]): string => `${Math.min(...list).toFixed(0)} / ${median(list).toFixed(0)} / ${Math.max(...list).toFixed(0)} ms`
  return [
    `  editor at rest, Chromium CPU over ${IDLE_SECONDS} s (all processes; ${rounds} page loads each, interleaved; min / median / max):`,
    ...targets.map((target, t) => `    ${target.label.padEnd(10)} ${cell(samples[t]!)} (${((median(samples[t]!) / (IDLE_SECONDS * 1000)) * 100).toFixed(1)} % of one core)`),
  ]
}
