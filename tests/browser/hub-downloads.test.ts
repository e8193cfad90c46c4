// Hugging Face downloads from the editor's UI alone, against the mock Hub on another 127.0.0.1 port (cross-origin,
// as the real Hub is): a Hyper-SD preset downloads with progress, a connection cut mid-file fails it, a page reload
// resumes it with a Range request, the files are verified, and the preset's graph runs on them. Then each error a
// user can meet is named: gated, missing file, HTML page, lying size, and a server without CORS.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loraRepo, sd15OnnxRepo } from '../hub/fixture-repos.js'
import { startMockHub, type MockHub } from '../hub/mock-hub.js'
import { appForSuite, lastRun, nodeIdsByType, runOnce, selectNodeUntil, waitReady } from './harness.js'

const SD15 = 'onnx-community/stable-diffusion-v1-5-ONNX'
const LORA = 'Hyper-SD15-4steps-lora.safetensors'
let hub: MockHub
let noCors: Server
let noCorsUrl = ''

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

    hub.setFaults({})
    await page.reload()
    await waitReady(page)
    await page.click('[data-testid=models-tab]')
    const restored = job(page, /base onnx-community/)
    await expect(restored.getAttribute('data-state')).resolves.toBe('paused')
    await expect(modelRow(page, SD15).getAttribute('data-model-state')).resolves.toMatch(/partial|failed/)
    const requestsBefore = hub.requests.length
    await restored.locator('[data-testid=download-resume]').click()
    // The preset's graph opens when its downloads are done.
    await page.waitForFunction((name) => window.__hypersd!.graphJson().includes(name), SD15, { timeout: 60_000 })
    const resumed = hub.requests.slice(requestsBefore)
    expect(resumed.some((r) => r.url.includes('model.onnx') && r.range === `bytes=${kept}-` && r.status === 206)).toBe(true)
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

  it('names each failure: gated repository, missing file, HTML page, lying size, a server without CORS', async () => {
    const { page } = app
    await page.click('[data-testid=models-tab]')
    const download = async (repo: string, files = ''): Promise<{ kind: string | null; text: string | null }> => {
      const count = await page.locator('[data-testid=download-job]').count()
      await page.fill('[data-testid=hub-repo]', repo)
      await page.fill('[data-testid=hub-files]', files)
      await page.click('[data-testid=hub-download]')
      const row = page.locator('[data-testid=download-job]').nth(count)
      await row.and(page.locator('[data-state=failed]')).waitFor({ timeout: 30_000 })
      const error = row.locator('[data-testid=download-error]')
      return { kind: await error.getAttribute('data-kind'), text: await error.textContent() }
    }
    expect(await download('owner/gated')).toMatchObject({ kind: 'gated', text: expect.stringMatching(/owner\/gated is a gated repository/) })
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
    hub.setFaults({})
    await setEndpoint(page, noCorsUrl)
    // The page is cross-origin isolated (COEP require-corp), where a CORS refusal and a dead server look the same:
    // the message names both.
    expect(await download('owner/any')).toMatchObject({ kind: 'network', text: expect.stringMatching(/unreachable, or it answered without the CORS headers/) })
    await setEndpoint(page, hub.url)
  })
})
