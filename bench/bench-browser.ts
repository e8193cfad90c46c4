// The headless Chromium the UI benchmarks share (Debian's, never a downloaded one), and their cold-start targets.
import { chromium, type Browser } from 'playwright-core'
import type { ColdStartTarget } from './cold-start.js'

export function launchBenchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * This build clicked at once and after its warm-up, its engine worker alone with no editor (the floor under the
 * first), and another build (e.g. an earlier commit's) clicked at once, all on WASM; with `returning`, each build's
 * second visit in one profile as well.
 */
export function coldStartTargets(url: string, beforeUrl: string | undefined, returning = false): ColdStartTarget[] {
  return [
    { label: 'click at once', url: `${url}?backend=wasm` },
    { label: 'after warm-up', url: `${url}?backend=wasm`, clickAfterWarmUp: true },
    { label: 'engine alone', url: `${url}?backend=wasm`, engineAlone: true },
    ...(beforeUrl ? [{ label: 'before, at once', url: `${beforeUrl}?backend=wasm` }] : []),
    ...(returning ? [{ label: 'returning, at once', url: `${url}?backend=wasm`, returning: true }] : []),
    ...(returning && beforeUrl ? [{ label: 'before, returning', url: `${beforeUrl}?backend=wasm`, returning: true }] : []),
  ]
}
