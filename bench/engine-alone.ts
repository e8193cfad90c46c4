// The cold first image's floor: the engine worker alone, with no editor on the page. One app load (not measured)
// records what the app tells its engine worker up to the run (init, model mounts, the warm-up, the run of the
// default graph); then a bare page of the same origin starts the same worker script, sends the same messages at
// once and the run as soon as the worker says it is ready, as the "click at once" column does. What the editor's
// own start costs on a cold load is the difference between the two columns.
import type { Browser, Page } from 'playwright-core'
import type { ColdStartSample } from './cold-start.js'

interface EngineScript {
  readonly workerUrl: string
  readonly workerName: string
  /** Messages to the engine worker before the run, in order. */
  readonly setup: readonly unknown[]
  readonly run: unknown
}

interface RecordingWindow {
  __engineScript: { url: string; name: string; sent: unknown[] } | undefined
}

/** Wraps the Worker constructor so that the engine worker's URL and the messages posted to it are kept. */
function recordEngineMessages(): void {
  const w = window as unknown as RecordingWindow
  const Original = window.Worker
  class RecordingWorker extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options)
      if (options?.name !== 'hypersd-engine') return
      const sent: unknown[] = []
      w.__engineScript = { url: String(url), name: options.name, sent }
      const post = this.postMessage.bind(this) as (message: unknown, options?: StructuredSerializeOptions) => void
      // A SharedArrayBuffer (the cancel flag) does not survive JSON: the replay runs without one.
      this.postMessage = (message: unknown, options?: StructuredSerializeOptions | Transferable[]) => {
        sent.push(JSON.parse(JSON.stringify(message, (_key, value: unknown) => (value instanceof SharedArrayBuffer ? undefined : value))))
        post(message, Array.isArray(options) ? { transfer: options } : options)
      }
    }
  }
  window.Worker = RecordingWorker
}

const scripts = new Map<string, Promise<EngineScript>>()

/** What the app at `appUrl` (with its query) sends its engine worker for a run of the default graph. */
function engineScript(browser: Browser, appUrl: string): Promise<EngineScript> {
  let script = scripts.get(appUrl)
  if (!script) scripts.set(appUrl, (script = recordEngineScript(browser, appUrl)))
  return script
}

async function recordEngineScript(browser: Browser, appUrl: string): Promise<EngineScript> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  try {
    const page = await context.newPage()
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await page.addInitScript(recordEngineMessages)
    await page.goto(appUrl)
    await page.waitForFunction(() => window.__hypersd !== undefined && Object.values(window.__hypersd.nodeTypes()).includes('SaveImage'), null, { timeout: 120_000 })
    await page.evaluate(() => window.__hypersd!.run())
    await page.waitForFunction(() => ['done', 'error'].includes(window.__hypersd!.lastRun().status), null, { timeout: 120_000, polling: 50 })
    const recorded = await page.evaluate(() => (window as unknown as RecordingWindow).__engineScript)
    if (!recorded) throw new Error(`engine alone: ${appUrl} started no worker named hypersd-engine`)
    const at = recorded.sent.findIndex((m) => (m as { type?: string }).type === 'run')
    if (at < 0) throw new Error('engine alone: the app sent its engine worker no run')
    const setup = recorded.sent.slice(0, at).filter((m) => (m as { type?: string }).type !== 'interaction')
    return { workerUrl: recorded.url, workerName: recorded.name, setup, run: recorded.sent[at] }
  } finally {
    await context.close()
  }
}

/** A value as a script literal: `<` escaped, so a graph string holding "</script>" cannot end the page's script. */
const scriptLiteral = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c')

/** The bare page: starts the worker, sends the setup at once and the run when the worker is ready. */
function bareEnginePage(script: EngineScript): string {
  return `<!doctype html><meta charset="utf-8"><title>engine alone</title><script type="module">
const worker = new Worker(${scriptLiteral(script.workerUrl)}, { type: 'module', name: ${scriptLiteral(script.workerName)} })
for (const message of ${scriptLiteral(script.setup)}) worker.postMessage(message)
let sent = false
worker.onmessage = (event) => {
  const message = event.data
  if (message.type === 'ready' && !sent) { sent = true; window.__readyAt = performance.now(); worker.postMessage(${scriptLiteral(script.run)}) }
  if (message.type === 'run-done') window.__doneAt = performance.now()
  if (message.type === 'run-error' || message.type === 'init-failed') window.__failure = message.message
}
</script>`
}

/** One fresh-profile load of the bare page: navigation to the worker's ready, and to the run's end. */
export async function engineAloneSample(browser: Browser, appUrl: string): Promise<ColdStartSample> {
  const script = await engineScript(browser, appUrl)
  const pageUrl = new URL('/__engine-alone.html', appUrl).href
  const context = await browser.newContext()
  try {
    const page: Page = await context.newPage()
    // Same origin as the app, and cross-origin isolated as the app is (its WASM threads need it).
    await page.route(pageUrl, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
        body: bareEnginePage(script),
      }),
    )
    await page.goto(pageUrl)
    const handle = await page.waitForFunction(
      () => {
        const w = window as unknown as { __doneAt?: number; __failure?: string }
        return w.__failure !== undefined ? { failure: w.__failure } : w.__doneAt !== undefined ? { done: w.__doneAt } : false
      },
      null,
      { timeout: 300_000, polling: 20 },
    )
    const result = (await handle.jsonValue()) as { done?: number; failure?: string }
    if (result.failure !== undefined) throw new Error(`engine alone: ${result.failure}`)
    const readyAt = await page.evaluate(() => (window as unknown as { __readyAt: number }).__readyAt)
    return {
      stages: new Map([
        ['engine alone: worker ready (navigation to ready)', readyAt],
        ['engine alone: ready to image', result.done! - readyAt],
        ['engine alone: navigation to image', result.done!],
      ]),
    }
  } finally {
    await context.close()
  }
}
