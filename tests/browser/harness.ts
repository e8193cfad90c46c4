// Shared pieces of the browser tests: Debian's Chromium through playwright-core, the built app served on
// 127.0.0.1, and helpers around the app's stable hooks (data-testid, window.__hypersd).
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { serveStatic, type StaticServer } from './static-server.js'
import type { LastRunView } from '../../src/ui/window-hooks.js'

export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts')
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

const COMMON_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']

/** WebGPU in headless Chromium without a GPU: Dawn on SwiftShader (Vulkan on the CPU). */
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface', '--ignore-gpu-blocklist']

/** Per-test limit for WebGPU runs on SwiftShader (WebGPU on the CPU, about 100x slower than WASM): they take 2-2.5 min
 * alone and more on a busy machine (one timed out at 180 s next to other work). */
export const SWIFTSHADER_TIMEOUT = 400_000

export function distFolder(): string {
  return process.env['HYPERSD_BROWSER_DIST'] ?? resolve(import.meta.dirname, '../../dist')
}

export interface AppSession {
  readonly server: StaticServer
  readonly browser: Browser
  readonly context: BrowserContext
  readonly page: Page
  readonly errors: string[]
  close(): Promise<void>
}

export interface OpenAppOptions {
  readonly webgpu?: boolean
  readonly query?: string
  readonly deviceScaleFactor?: number
  /** Window size in CSS pixels; 1440x900 by default. */
  readonly viewport?: { readonly width: number; readonly height: number }
  /** Serves the app; the built app in dist/ by default. */
  readonly serve?: () => Promise<StaticServer>
  /**
   * Load each opened graph's models before its first run, as the app does by default. Off unless asked for: most
   * checks count which nodes a run executes, and a warm-up would have run the loaders before it.
   */
  readonly warmUp?: boolean
}

/** The app's query string: the options' own, plus warmup=off unless the warm-up was asked for. */
function appQuery(options: OpenAppOptions): string {
  const params = new URLSearchParams(options.query ?? '')
  if (!options.warmUp && !params.has('warmup')) params.set('warmup', 'off')
  return `?${params.toString()}`
}

/**
 * One app for the enclosing describe block: opened before its tests, closed after them. Read `.page` and `.errors`
 * inside the tests (they exist once the app is open).
 */
export function appForSuite(options: OpenAppOptions = {}): Pick<AppSession, 'page' | 'errors'> {
  let app: AppSession | undefined
  beforeAll(async () => {
    app = await openApp(options)
  })
  afterAll(async () => {
    await app?.close()
  })
  const open = (): AppSession => {
    if (!app) throw new Error('the app is not open yet (read it inside a test)')
    return app
  }
  return {
    get page() {
      return open().page
    },
    get errors() {
      return open().errors
    },
  }
}

export async function openApp(options: OpenAppOptions = {}): Promise<AppSession> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const server = await (options.serve ?? (() => serveStatic(distFolder())))()
  // launch() gives every browser a fresh temporary profile (no state shared between tests).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...COMMON_ARGS, ...(options.webgpu ? WEBGPU_ARGS : ['--disable-gpu'])],
  })
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: options.deviceScaleFactor ?? 1, acceptDownloads: true })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  await page.goto(`${server.url}${appQuery(options)}`)
  await waitReady(page)
  return {
    server,
    browser,
    context,
    page,
    errors,
    close: async () => {
      await browser.close()
      await server.close()
    },
  }
}

/** Waits until the editor shows a graph and the worker reports its backend. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__hypersd !== undefined && Object.keys(window.__hypersd.nodeTypes()).length > 0, null, { timeout: 60_000 })
  await page.waitForFunction(() => {
    const state = document.querySelector('[data-testid=backend-indicator]')?.getAttribute('data-state')
    return state === 'ready' || state === 'failed'
  }, null, { timeout: 60_000 })
}

export function lastRun(page: Page): Promise<LastRunView> {
  return page.evaluate(() => window.__hypersd!.lastRun())
}

/** Waits for the run with a new id to settle (done, error or cancelled) and returns it. */
export async function waitForRunAfter(page: Page, previousRunId: string | null, timeout = 150_000): Promise<LastRunView> {
  await page.waitForFunction(
    (previous) => {
      const run = window.__hypersd!.lastRun()
      return run.runId !== previous && ['done', 'error', 'cancelled'].includes(run.status) && run.queued === 0
    },
    previousRunId,
    { timeout, polling: 100 },
  )
  return lastRun(page)
}

/** Presses Run and waits for the result. */
export async function runOnce(page: Page): Promise<LastRunView> {
  const before = (await lastRun(page)).runId
  await page.click('[data-testid=run-button]')
  return waitForRunAfter(page, before)
}

export async function nodeIdsByType(page: Page): Promise<Record<string, string[]>> {
  const types = await page.evaluate(() => window.__hypersd!.nodeTypes())
  const byType: Record<string, string[]> = {}
  for (const [id, type] of Object.entries(types)) (byType[type] ??= []).push(id)
  return byType
}

export async function typesOf(page: Page, ids: readonly string[]): Promise<string[]> {
  const types = await page.evaluate(() => window.__hypersd!.nodeTypes())
  return ids.map((id) => types[id] ?? `?${id}`).sort()
}

/** The RGBA pixels of the image shown by data-testid=output-image. */
export async function outputPixels(page: Page): Promise<{ width: number; height: number; data: number[]; src: string }> {
  return page.evaluate(async () => {
    const img = document.querySelector<HTMLImageElement>('[data-testid=output-image]')!
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = img.naturalWidth
    canvas.height = img.naturalHeight
    const ctx = canvas.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    return { width: canvas.width, height: canvas.height, data: [...ctx.getImageData(0, 0, canvas.width, canvas.height).data], src: img.src }
  })
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`) })
}

/** Colours of the graph canvas along a short horizontal run of CSS pixels centred on page point (x, y). */
export async function canvasColoursAround(page: Page, x: number, y: number, halfWidth = 4): Promise<[number, number, number][]> {
  return page.evaluate(
    ({ x, y, halfWidth }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
      const rect = canvas.getBoundingClientRect()
      const ratio = canvas.width / rect.width
      const data = canvas.getContext('2d')!.getImageData(Math.round((x - rect.left - halfWidth) * ratio), Math.round((y - rect.top) * ratio), Math.round(2 * halfWidth * ratio) + 1, 1).data
      const colours: [number, number, number][] = []
      for (let i = 0; i < data.length; i += 4) colours.push([data[i]!, data[i + 1]!, data[i + 2]!])
      return colours
    },
    { x, y, halfWidth },
  )
}

/**
 * Clicks node `nodeId` (just right of its `input` slot) until `shown` is visible: a newly
 * opened graph is fitted to the canvas once its size is known, which can move the node under the first click.
 */
export async function selectNodeUntil(page: Page, nodeId: string, input: string, shown: Locator): Promise<void> {
  for (let attempt = 0; attempt < 10 && !(await shown.isVisible()); attempt++) {
    const slot = (await page.evaluate(({ id, name }) => window.__hypersd!.slotPoint(id, 'input', name), { id: nodeId, name: input }))!
    await page.mouse.click(slot.x + 60, slot.y)
    await page.waitForTimeout(200)
  }
  await shown.waitFor()
}

/** Mean absolute difference over RGB of two RGBA pixel arrays (alpha left out). */
export function meanRgbDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0
  let count = 0
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue
    sum += Math.abs(a[i]! - b[i]!)
    count++
  }
  return sum / count
}
