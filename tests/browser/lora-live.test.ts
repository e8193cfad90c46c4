// Interactive tuning with a live-mode LoRA: dragging the scale with auto-run on re-runs the graph, and the worker's
// session cache serves the same UNet session (live LoRA scales are session inputs, not baked weights). The first image
// comes from the LoRA merged at its scale, and the live session is built once the engine is idle.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appForSuite, lastRun, nodeIdsByType, outputPixels, runOnce, screenshot, typesOf, waitForRunAfter } from './harness.js'

const LORA_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-lora-4step.json'), 'utf8')
const TINY_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')

describe('live LoRA scale with auto-run', () => {
  const app = appForSuite({ query: '?backend=wasm', warmUp: true })

  it('dragging the scale re-runs without rebuilding the UNet session', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    const loraId = (await nodeIdsByType(page))['UNetLoRA']![0]!
    // Opening the graph loads its models before the first run: the UNet with its LoRA merged at the graph's scale,
    // which builds in about half the live form's time (src/lora/first-session.ts).
    await page.waitForFunction(() => window.__hypersd!.warmUp().state === 'done', null, { timeout: 60_000 })
    const warmed = (await page.evaluate(() => window.__hypersd!.warmUp())).sessions
    expect(warmed.filter((k) => k.includes('tiny-sd15/unet/') && k.endsWith('#first'))).toHaveLength(1)
    expect(warmed.filter((k) => k.includes(':live:'))).toEqual([])
    // Then, with the engine idle, the live session is built and the merged one freed.
    await page.waitForFunction(() => window.__hypersd!.idleWork().pending === 0 && window.__hypersd!.idleWork().sessions.length > 0, null, { timeout: 60_000 })
    const built = (await page.evaluate(() => window.__hypersd!.idleWork())).sessions
    const liveUNet = built.filter((k) => k.includes('tiny-sd15/unet/') && k.includes(':live:'))
    expect(liveUNet).toHaveLength(1)
    const first = await runOnce(page)
    expect(first.status, first.error ?? '').toBe('done')
    // The run found every session ready: the sampler used the live one, the decoder the warmed one, the prompt was
    // encoded already; the idle work's session is not counted as the run's.
    expect(first.sessionsCreated).toEqual([])
    expect(first.sessionsReused).toEqual(expect.arrayContaining([...liveUNet, ...warmed.filter((k) => k.includes('/vae_decoder/'))]))
    expect(first.sessionsReused.filter((k) => k.endsWith('#first'))).toEqual([])
    expect(await typesOf(page, first.nodesCached)).toEqual(expect.arrayContaining(['LoadPipeline', 'UNetLoRA', 'CLIPTextEncode']))
    const before = await outputPixels(page)

    await page.click('[data-testid=auto-run]')
    const point = await page.evaluate((id) => window.__hypersd!.widgetPoint(id, 'scale'), loraId)
    expect(point).not.toBeNull()
    // Drag the number widget to the left: the scale drops one step (0.05) per 10 px moved.
    await page.mouse.move(point!.x, point!.y)
    await page.mouse.down()
    for (let i = 1; i <= 10; i++) await page.mouse.move(point!.x - 2 * i, point!.y)
    await page.mouse.up()

    const scale = await page.evaluate((id) => {
      const graph = JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
      return graph.nodes.find((n) => n.id === id)!.inputs['scale']
    }, loraId)
    expect(scale).toBeLessThan(1)

    // Auto-run queues the change; wait until the run for the final value is done and nothing is waiting.
    await page.waitForFunction(() => {
      const run = window.__hypersd!.lastRun()
      return run.status === 'done' && run.queued === 0
    }, null, { timeout: 60_000 })
    await page.waitForFunction(
      (expected) => {
        const run = window.__hypersd!.lastRun()
        return run.runId !== expected && run.status === 'done' && run.queued === 0
      },
      first.runId,
      { timeout: 60_000 },
    )
    const tuned = await lastRun(page)
    expect(tuned.status, tuned.error ?? '').toBe('done')
    expect(await typesOf(page, tuned.nodesRun)).toContain('TSCDSampler')
    expect(await typesOf(page, tuned.nodesRun)).toContain('UNetLoRA')
    expect(tuned.sessionsCreated.filter((k) => k.includes('/unet/'))).toEqual([])
    expect(tuned.sessionsReused.filter((k) => k.includes('/unet/')).length).toBeGreaterThan(0)
    // A scale change keeps the live sessions: nothing is released but the merged first ones (already freed by the idle
    // work; the text encoder's result held its key until this run encoded the prompt again).
    expect(tuned.sessionsReleased.filter((k) => !k.endsWith('#first'))).toEqual([])
    const after = await outputPixels(page)
    expect(after.data).not.toEqual(before.data)
    await screenshot(page, 'lora-live-scale')
  })

  it('a run clicked while the graph warms up waits for it, says so, and builds no session of its own', async () => {
    const { page } = app
    await page.click('[data-testid=auto-run]') // off: this test runs by hand
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { __labels: string[] }).__labels = seen
      new MutationObserver(() => {
        const label = document.querySelector('[data-testid=progress] .label')?.textContent ?? ''
        if (seen[seen.length - 1] !== label) seen.push(label)
      }).observe(document.querySelector('[data-testid=progress]')!, { subtree: true, childList: true, characterData: true })
    })
    // The live-delta form needs a UNet session the first test did not build; the run is queued right after opening.
    const graph = JSON.parse(LORA_GRAPH) as { nodes: { type: string; inputs: Record<string, unknown> }[] }
    graph.nodes.find((n) => n.type === 'UNetLoRA')!.inputs['mode'] = 'live-delta'
    const before = (await lastRun(page)).runId
    await page.evaluate(async (json) => {
      await window.__hypersd!.loadGraph(json)
      window.__hypersd!.run()
    }, JSON.stringify(graph))
    const run = await waitForRunAfter(page, before)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.sessionsCreated).toEqual([])
    // The first image came from the warm-up's merged UNet; the live-delta session is built once the engine is idle.
    const firstUNet = (k: string) => k.includes('/unet/') && k.endsWith('#first')
    expect(run.sessionsReused.filter(firstUNet)).toHaveLength(1)
    expect((await page.evaluate(() => window.__hypersd!.warmUp())).sessions.filter(firstUNet)).toHaveLength(1)
    await page.waitForFunction(
      () => window.__hypersd!.idleWork().pending === 0 && window.__hypersd!.idleWork().sessions.some((k) => k.includes(':live-delta:')),
      null,
      { timeout: 60_000 },
    )
    expect(await typesOf(page, run.nodesCached)).toEqual(expect.arrayContaining(['LoadPipeline', 'UNetLoRA']))
    const labels = await page.evaluate(() => (window as unknown as { __labels: string[] }).__labels)
    expect(labels.some((l) => l.startsWith('Loading models…'))).toBe(true)
  })

  it('says what the warm-up loaded, and loads nothing when Settings turn it off', async () => {
    const { page } = app
    const indicator = page.locator('[data-testid=warm-up-state]')
    expect(await indicator.getAttribute('data-state')).toBe('done')
    expect(await indicator.getAttribute('title')).toContain('tiny-sd15/unet/model.onnx#lora(unet)')

    await page.click('[data-testid=settings-tab]')
    await page.click('[data-testid=warm-up-setting]')
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), TINY_GRAPH)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    // Nothing was loaded before the run: it built the plain UNet's session and encoded the prompt itself.
    expect(run.sessionsCreated.filter((k) => k.includes('tiny-sd15/unet/model.onnx'))).toHaveLength(1)
    expect(await typesOf(page, run.nodesRun)).toContain('CLIPTextEncode')
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('hypersd.settings') ?? '{}').warmUp)).toBe(false)
  })
})
