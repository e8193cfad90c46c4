// Hugging Face downloads from the editor's UI alone, against the mock Hub on another 127.0.0.1 port (cross-origin,
// as the real Hub is): a Hyper-SD preset downloads with progress, a connection cut mid-file fails it, a page reload
// resumes it with a Range request (on the CDN the resolve URL redirects to), the files are verified, and the
// preset's graph runs on them. Then each error a user can meet is named: gated, missing file, HTML page, lying size,
// a hash mismatch caught through the ETag of a mirror that lists names only, offline, and a server without CORS;
// deleting a download frees its storage. Last, Pause mid-file keeps the bytes and Resume continues from them; the
// Models panel row shows the bytes kept of the total after a pause, a failure and a reload mid-transfer.
import { readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loraRepo, sd15OnnxRepo } from '../hub/fixture-repos.js'
import { startMockHub, type MockHub } from '../hub/mock-hub.js'
import { appForSuite, lastRun, nodeIdsByType, runOnce, selectNodeUntil, waitReady } from './harness.js'
import { FLUSH_AFTER_MS } from '../../src/hub/opfs-store.js'

const SD15 = 'onnx-community/stable-diffusion-v1-5-ONNX'
const LORA = 'Hyper-SD15-4steps-lora.safetensors'
let hub: MockHub
let noCors: Server
let noCorsUrl = ''

/**
 * The Hub part of the Models tab is laid out (it had no styles at all: bulleted lists, a preset's title run into its
 * file names, a job's label into its state, an error's URL past the panel's edge).
 */
async function expectHubLayout(page: Page): Promise<void> {
  const preset = page.locator('[data-testid=preset]').first()
  expect(await preset.evaluate((li) => getComputedStyle(li).listStyleType)).toBe('none')
  const title = (await preset.locator('.preset-title').boundingBox())!
  const files = (await preset.locator('.preset-files').boundingBox())!
  expect(files.y).toBeGreaterThanOrEqual(title.y + title.height - 1)
  const job = page.locator('[data-testid=download-job]').first()
  expect(await job.evaluate((li) => getComputedStyle(li).listStyleType)).toBe('none')
  const label = (await job.locator('.job-label').boundingBox())!
  const state = (await job.locator('.job-state').boundingBox())!
  expect(state.x).toBeGreaterThan(label.x + label.width)
  const overflow = await page.locator('[data-testid=hub-downloads]').evaluate((section) => section.scrollWidth - section.clientWidth)
  expect(overflow, 'content wider than the panel').toBeLessThanOrEqual(0)
}

beforeAll(async () => {
  hub = await startMockHub([
    sd15OnnxRepo(SD15),
    loraRepo('ByteDance/Hyper-SD', { [LORA]: 'loras/tiny-hyper-sd15-4step-kohya.safetensors', 'Hyper-SD15-2steps-lora.safetensors': 'loras/tiny-hyper-sd15-peft.safetensors' }),
    { id: 'owner/gated', gated: true, files: [{ path: 'model.onnx', bytes: new Uint8Array(16) }] },
  ])
  // A server that answers but sends no CORS headers: the page may not read it.
  noCors = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'))
  await new Promise<void>((done) => noCors.listen(0, '127.0.0.1', done))
  noCorsUrl = `http://127.0.0.1:${(noCors.address() as AddressInfo).port}`
})
afterAll(async () => {
  await hub?.close()
  await new Promise((done) => noCors?.close(done))
})

async function setEndpoint(page: Page, url: string): Promise<void> {
  await page.click('[data-testid=settings-tab]')
  await page.fill('[data-testid=hub-endpoint]', url)
  await page.click('[data-testid=models-tab]')
}

const job = (page: Page, label: RegExp) => page.locator('[data-testid=download-job]').filter({ hasText: label })
const modelRow = (page: Page, name: string) => page.locator(`[data-testid=model-row][data-model-name="${name}"]`)
const LORA_BYTES = statSync(resolve(import.meta.dirname, '../../public/models/loras/tiny-hyper-sd15-4step-kohya.safetensors')).size

/** Waits until the row's size says `text`, then returns its size figure, its exact tooltip and the row's text. */
async function rowSize(page: Page, name: string, text: RegExp): Promise<{ size: string; exact: string | null; row: string }> {
  const size = modelRow(page, name).locator('[data-testid=model-size]')
  await size.filter({ hasText: text }).waitFor({ timeout: 10_000 })
  return { size: (await size.textContent()) ?? '', exact: await size.getAttribute('title'), row: (await modelRow(page, name).textContent()) ?? '' }
}

/** Waits until the worker has written `bytes` of the LoRA's partial file in OPFS. */
async function waitForPartBytes(page: Page, bytes: number): Promise<void> {
  await page.waitForFunction(
    async ([name, size]) => {
      try {
        const folder = await (await (await (await navigator.storage.getDirectory()).getDirectoryHandle('hub')).getDirectoryHandle('ByteDance')).getDirectoryHandle('Hyper-SD')
        return (await (await folder.getFileHandle(`${name}.part`)).getFile()).size === size
      } catch {
        return false // not created yet
      }
    },
    [LORA, bytes] as const,
    { timeout: 30_000, polling: 100 },
  )
}

describe('Hugging Face downloads in the editor', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('a preset downloads with progress, resumes after a cut and a reload, and its graph runs', async () => {
    const { page } = app
    await setEndpoint(page, hub.url)
    // Every attempt at the UNet (224 kB) is cut after 50 kB more (the two automatic retries too, each resuming where
    // the last stopped), so the pull fails with 150 kB kept.
    hub.setFaults({ cut: [{ file: 'unet/model.onnx', afterBytes: 50_000, times: 3 }] })
    await page.locator('[data-testid=preset][data-preset-id=sd15-4step] [data-testid=preset-get]').click()

    const base = job(page, /base onnx-community/)
    await base.and(page.locator('[data-state=failed]')).waitFor({ timeout: 60_000 })
    await expect(base.locator('[data-testid=download-error]').getAttribute('data-kind')).resolves.toBe('network')
    // Everything that arrived before each cut is kept: three attempts of 50 kB.
    const cutMessage = (await base.locator('[data-testid=download-error]').textContent()) ?? ''
    const kept = Number(/unet\/model\.onnx: the connection broke after (\d+) of \d+ bytes; the bytes so far are kept/.exec(cutMessage)?.[1] ?? NaN)
    expect(kept, cutMessage).toBe(150_000)
    const lora = job(page, new RegExp(LORA))
    await lora.and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 })
    await expect(lora.locator('[data-testid=download-progress]').textContent()).resolves.toMatch(/^([\d.]+ [kMG]?B) \/ \1$/)
    // The catalog reads the finished file's header: a kohya LoRA.
    await modelRow(page, `ByteDance/Hyper-SD/${LORA}`).and(page.locator('[data-model-kind=lora]')).waitFor({ timeout: 10_000 })
    await expect(modelRow(page, SD15).getAttribute('data-model-state')).resolves.toBe('failed')
    // The failed pipeline's row says what it is (the preset names it) and what is kept of how much: the files before
    // the UNet whole, and 150 kB of the UNet.
    const failedSize = await rowSize(page, SD15, /\(failed\)/)
    expect(failedSize.row).toContain('SD1.5 pipeline')
    expect(failedSize.row).not.toContain('size unknown')
    expect(failedSize.size).toMatch(/^[\d.]+ [kMG]?B of [\d.]+ [kMG]?B \(failed\)$/)
    const [keptBytes, totalBytes] = (/^(\d+) of (\d+) bytes kept$/.exec(failedSize.exact ?? '') ?? []).slice(1).map(Number)
    expect(keptBytes).toBeGreaterThanOrEqual(150_000)
    expect(totalBytes).toBeGreaterThan(keptBytes!)

    hub.setFaults({})
    await page.reload()
    await waitReady(page)
    await page.click('[data-testid=models-tab]')
    const restored = job(page, /base onnx-community/)
    await expect(restored.getAttribute('data-state')).resolves.toBe('paused')
    await expect(modelRow(page, SD15).getAttribute('data-model-state')).resolves.toMatch(/partial|failed/)
    // The same figures, read back from OPFS after the reload.
    expect((await rowSize(page, SD15, /\((partial|failed)\)/)).exact).toBe(failedSize.exact)
    const requestsBefore = hub.requests.length
    await restored.locator('[data-testid=download-resume]').click()
    // The preset's graph opens when its downloads are done.
    await page.waitForFunction((name) => window.__hypersd!.graphJson().includes(name), SD15, { timeout: 60_000 })
    const resumed = hub.requests.slice(requestsBefore)
    // The Hub's resolve URL redirects to its CDN, which answers the Range request.
    expect(resumed.some((r) => r.url.includes('/resolve/main/unet/model.onnx') && r.status === 302)).toBe(true)
    expect(resumed.some((r) => r.url.startsWith('/cdn/') && r.url.includes('model.onnx') && r.range === `bytes=${kept}-` && r.status === 206)).toBe(true)
    // Files completed before the cut are not fetched again.
    expect(resumed.filter((r) => r.url.includes('/resolve/') && r.url.endsWith('model_index.json'))).toEqual([])
    await modelRow(page, SD15).and(page.locator('[data-model-state=ready]')).waitFor({ timeout: 30_000 })
    await expect(modelRow(page, SD15).getAttribute('data-model-kind')).resolves.toBe('sd15-pipeline')

    // The preset graph is 512 px; the tiny SD1.5 twin draws 64 px quickly.
    await page.evaluate(() => {
      window.__hypersd!.setValue('3', 'width', 64)
      window.__hypersd!.setValue('3', 'height', 64)
    })
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect((await lastRun(page)).nodesRun.length).toBeGreaterThan(4)
    expect(app.errors).toEqual([])
  })

  it('a graph naming a missing Hub model offers its download on the node, and runs once it is there', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), readFileSync(resolve(import.meta.dirname, '../../graphs/hyper-sd15-2step.json'), 'utf8'))
    const [lora] = (await nodeIdsByType(page))['UNetLoRA']!
    await page.click('.tabs button:has-text("Node")')
    const missing = page.locator('[data-testid=missing-model][data-model-name="ByteDance/Hyper-SD/Hyper-SD15-2steps-lora.safetensors"]')
    await selectNodeUntil(page, lora!, 'unet', missing)
    await missing.locator('[data-testid=missing-hub-download]').click()
    await page.locator('[data-testid=models-panel]').waitFor({ state: 'visible' })
    await modelRow(page, 'ByteDance/Hyper-SD/Hyper-SD15-2steps-lora.safetensors').and(page.locator('[data-model-state=ready][data-model-kind=lora]')).waitFor({ timeout: 30_000 })
    await page.evaluate(() => {
      window.__hypersd!.setValue('3', 'width', 64)
      window.__hypersd!.setValue('3', 'height', 64)
    })
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
  })

  it('names each failure: gated repository, missing file, HTML page, lying size, hash mismatch, offline, a server without CORS', async () => {
    const { page } = app
    await page.click('[data-testid=models-tab]')
    const download = async (repo: string, files = '', until: 'failed' | 'done' = 'failed'): Promise<{ kind: string | null; text: string | null }> => {
      const count = await page.locator('[data-testid=download-job]').count()
      await page.fill('[data-testid=hub-repo]', repo)
      await page.fill('[data-testid=hub-files]', files)
      await page.click('[data-testid=hub-download]')
      const row = page.locator('[data-testid=download-job]').nth(count)
      await row.and(page.locator(`[data-state=${until}]`)).waitFor({ timeout: 30_000 })
      if (until === 'done') return { kind: null, text: await row.locator('[data-testid=download-progress]').textContent() }
      const error = row.locator('[data-testid=download-error]')
      return { kind: await error.getAttribute('data-kind'), text: await error.textContent() }
    }
    expect(await download('owner/gated')).toMatchObject({ kind: 'gated', text: expect.stringMatching(/owner\/gated is a gated repository/) })
    await expectHubLayout(page)
    expect(await download('ByteDance/Hyper-SD', 'Hyper-SD15-3steps-lora.safetensors')).toMatchObject({ kind: 'not-found', text: expect.stringMatching(/Hyper-SD15-3steps-lora\.safetensors not found in ByteDance\/Hyper-SD/) })
    // The LoRA is already downloaded: remove the files so the next pulls fetch it again.
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory()
      await root.removeEntry('hub', { recursive: true }).catch(() => undefined)
    })
    hub.setFaults({ htmlInstead: [LORA] })
    expect(await download('ByteDance/Hyper-SD', LORA)).toMatchObject({ kind: 'html', text: expect.stringMatching(/the server sent an HTML page instead of the file/) })
    hub.setFaults({ lieContentLength: [{ file: LORA, declared: 1234 }] })
    expect(await download('ByteDance/Hyper-SD', LORA)).toMatchObject({ kind: 'size-mismatch', text: expect.stringMatching(/offers 1234 bytes, the repository lists \d+/) })
    // A mirror without the tree API lists names only: the size and sha256 come from the followed resolve answer's
    // Content-Length and ETag (a page cannot read the redirect's X-Linked-* headers), so a wrong ETag is caught...
    hub.setFaults({ noTree: true, wrongSha: [LORA] })
    expect(await download('ByteDance/Hyper-SD', LORA)).toMatchObject({ kind: 'hash-mismatch', text: expect.stringMatching(new RegExp(`${LORA}: sha256 [0-9a-f]{64} does not match the repository's [0-9a-f]{64}; the file was deleted`)) })
    // ...and a right one lets the file in.
    hub.setFaults({ noTree: true })
    expect((await download('ByteDance/Hyper-SD', LORA, 'done')).text).toMatch(/^([\d.]+ [kMG]?B) \/ \1$/)
    const downloaded = modelRow(page, `ByteDance/Hyper-SD/${LORA}`)
    await downloaded.and(page.locator('[data-model-state=ready][data-model-kind=lora]')).waitFor({ timeout: 10_000 })
    // Deleting it in the panel deletes its files from OPFS, and the storage figure drops by at least its size.
    const usage = async (): Promise<number> => (await page.evaluate(() => navigator.storage.estimate())).usage ?? NaN
    const before = await usage()
    await downloaded.locator('[data-testid=model-delete]').click()
    await downloaded.locator('[data-testid=model-delete-confirm]').click()
    await downloaded.waitFor({ state: 'detached' })
    const loraBytes = statSync(resolve(import.meta.dirname, '../../public/models/loras/tiny-hyper-sd15-4step-kohya.safetensors')).size
    await page.waitForFunction(([limit]) => Number(document.querySelector('[data-testid=models-storage]')?.getAttribute('data-usage')) <= limit!, [before - loraBytes])
    expect(before - (await usage())).toBeGreaterThanOrEqual(loraBytes)
    hub.setFaults({})
    await page.context().setOffline(true)
    try {
      expect(await download('ByteDance/Hyper-SD', LORA)).toMatchObject({ kind: 'offline', text: expect.stringMatching(/this device is offline/) })
    } finally {
      await page.context().setOffline(false)
    }
    await setEndpoint(page, noCorsUrl)
    // The page is cross-origin isolated (COEP require-corp), where a CORS refusal and a dead server look the same:
    // the message names both.
    expect(await download('owner/any')).toMatchObject({ kind: 'network', text: expect.stringMatching(/unreachable, or it answered without the CORS headers/) })
    await setEndpoint(page, hub.url)
  })

  it('pauses a download mid-file, keeps its bytes, and resumes from them with a Range request; the row shows the bytes kept', async () => {
    const { page } = app
    await page.click('[data-testid=models-tab]')
    // The LoRA's transfer stalls after 50 kB with the connection left open, so the download is in flight for the
    // Pause button however fast the machine is.
    hub.setFaults({ cut: [{ file: LORA, afterBytes: 50_000, stall: true }] })
    const count = await page.locator('[data-testid=download-job]').count()
    await page.fill('[data-testid=hub-repo]', 'ByteDance/Hyper-SD')
    await page.fill('[data-testid=hub-files]', LORA)
    await page.click('[data-testid=hub-download]')
    const row = page.locator('[data-testid=download-job]').nth(count)
    await row.and(page.locator('[data-state=downloading]')).waitFor({ timeout: 30_000 })
    // Wait until the 50 kB are in OPFS (the partial file the worker writes), then pause.
    await waitForPartBytes(page, 50_000)
    await row.locator('[data-testid=download-pause]').click()
    await row.and(page.locator('[data-state=paused]')).waitFor({ timeout: 10_000 })
    expect(await row.locator('[data-testid=download-error]').count()).toBe(0)
    const name = `ByteDance/Hyper-SD/${LORA}`
    const inState = (state: string) => modelRow(page, name).and(page.locator(`[data-model-state=${state}]`))
    await inState('partial').waitFor({ timeout: 10_000 })
    // The row names the kind the preset gives the file and the exact bytes kept of the listed total.
    const total = (LORA_BYTES / 1000).toFixed(1)
    const paused = await rowSize(page, name, /\(partial\)/)
    expect(paused).toMatchObject({ size: `50.0 kB of ${total} kB (partial)`, exact: `50000 of ${LORA_BYTES} bytes kept` })
    expect(paused.row).toContain('LoRA · SD1.5')
    expect(paused.row).not.toContain('size unknown')

    // Resumed, every attempt is cut 40 kB on (the two automatic retries too): the pull fails with 170 kB kept.
    hub.setFaults({ cut: [{ file: LORA, afterBytes: 40_000, times: 3 }] })
    let requestsBefore = hub.requests.length
    await row.locator('[data-testid=download-resume]').click()
    await row.and(page.locator('[data-state=failed]')).waitFor({ timeout: 30_000 })
    const cdnGets = (): (string | number | undefined)[][] => hub.requests.slice(requestsBefore).filter((r) => r.url.startsWith('/cdn/') && r.method === 'GET').map((r) => [r.range, r.status])
    expect(cdnGets()).toEqual([['bytes=50000-', 206], ['bytes=90000-', 206], ['bytes=130000-', 206]])
    await inState('failed').waitFor({ timeout: 10_000 })
    expect(await rowSize(page, name, /\(failed\)/)).toMatchObject({ size: `170.0 kB of ${total} kB (failed)`, exact: `170000 of ${LORA_BYTES} bytes kept` })

    // Resumed again, it stalls 10 kB on, and the page is reloaded mid-transfer: the row is partial with what OPFS holds.
    hub.setFaults({ cut: [{ file: LORA, afterBytes: 10_000, stall: true }] })
    await row.locator('[data-testid=download-resume]').click()
    await row.and(page.locator('[data-state=downloading]')).waitFor({ timeout: 30_000 })
    await waitForPartBytes(page, 180_000)
    // Written bytes are flushed at most FLUSH_AFTER_MS after they arrive; unflushed ones die with the page's worker.
    await page.waitForTimeout(10 * FLUSH_AFTER_MS)
    // The reload cuts the stalled transfer, and the worker of the page going away may still retry: it gets an HTML
    // page (nothing written) rather than the rest of the file.
    hub.setFaults({ htmlInstead: [LORA] })
    const pullsOfFile = (): Locator => page.locator('[data-testid=download-job]:not([data-state=done])').filter({ hasText: LORA })
    const pullsBefore = await pullsOfFile().count()
    await page.reload()
    await waitReady(page)
    await page.click('[data-testid=models-tab]')
    // Earlier failed pulls of the same file come back too (paused); this one is the last.
    const restored = page.locator('[data-testid=download-job]').filter({ hasText: LORA }).last()
    await restored.and(page.locator('[data-state=paused]')).waitFor({ timeout: 10_000 })
    // All come back at once: were they shown one by one, the Resume below could land on an earlier pull of the file.
    expect(await pullsOfFile().count()).toBe(pullsBefore)
    await inState('partial').waitFor({ timeout: 10_000 })
    expect(await rowSize(page, name, /\(partial\)/)).toMatchObject({ size: `180.0 kB of ${total} kB (partial)`, exact: `180000 of ${LORA_BYTES} bytes kept` })

    hub.setFaults({})
    requestsBefore = hub.requests.length
    await restored.locator('[data-testid=download-resume]').click()
    // It once timed out here under CI load (neither done nor failed after 30 s): say what the row showed instead.
    await restored.and(page.locator('[data-state=done], [data-state=failed]')).waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      const requests = hub.requests.slice(requestsBefore).map((r) => `${r.method} ${r.url} ${r.range ?? ''} ${r.status}`)
      throw new Error(`resumed row stayed '${await restored.getAttribute('data-state')}': ${await restored.textContent()}; requests since: ${requests.join(', ')}`, { cause: error })
    })
    expect(await restored.getAttribute('data-state'), (await restored.textContent()) ?? '').toBe('done')
    expect(cdnGets()).toEqual([['bytes=180000-', 206]])
    await inState('ready').and(page.locator('[data-model-kind=lora]')).waitFor({ timeout: 10_000 })
    expect(app.errors).toEqual([])
  })
})
