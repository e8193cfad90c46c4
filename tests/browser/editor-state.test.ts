// State that must not lie: run errors (outline and panel) go when an edit fixes what they name and at the next run;
// a graph without an output node is refused, not "done"; a ComfyUI import keeps unknown nodes as placeholders and
// shows its report, which is saved with the graph until dismissed.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, canvasColoursAround, runOnce, screenshot } from './harness.js'

const GRAPH_TEXT = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
const COMFY_WORKFLOW = readFileSync(resolve(import.meta.dirname, '../graph/fixtures/comfyui/default-lora-note.workflow.json'), 'utf8')
const SAVE_NODE = '6' // SaveImage, fed by VAEDecode 5
const DECODE_NODE = '5'

interface GraphNodeJson {
  id: string
  type: string
  inputs: Record<string, unknown>
  placeholder?: { origin: string; inputs: unknown[]; outputs: { name: string; type: string }[]; widgets?: unknown }
}
interface GraphJson {
  nodes: GraphNodeJson[]
  metadata?: { importReport?: { placeholders: string[]; blocking?: string[] } }
}

const graphJson = async (page: Page): Promise<GraphJson> => JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as GraphJson

/** A graph file variant of the test graph: `edit` changes its parsed form. */
function variant(edit: (graph: { nodes: GraphNodeJson[] }) => void): string {
  const graph = JSON.parse(GRAPH_TEXT) as { nodes: GraphNodeJson[] }
  edit(graph)
  return JSON.stringify(graph)
}

/** Whether a node is drawn with the red error outline (#f87171) just left of its body. */
async function hasErrorOutline(page: Page, nodeId: string): Promise<boolean> {
  const rect = await page.evaluate((id) => window.__hypersd!.nodeRect(id), nodeId)
  if (!rect) return false
  const scale = (await page.evaluate(() => window.__hypersd!.view())).scale
  const colours = await canvasColoursAround(page, rect.x - 3 * scale, rect.y + rect.height / 2, 3)
  return colours.some(([r, g, b]) => r > 150 && r - g > 60 && r - b > 60)
}

/** Selects a node by clicking its title bar, then deletes it with the Delete key. */
async function deleteNode(page: Page, nodeId: string): Promise<void> {
  const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), nodeId))!
  await page.mouse.click(rect.x + rect.width / 2, rect.y + 6)
  await page.keyboard.press('Delete')
  await page.waitForFunction((id) => !(id in window.__hypersd!.nodeTypes()), nodeId)
}

/** A ComfyUI workflow with an upscaler (UpscaleModelLoader -> ImageUpscaleWithModel -> SaveImage) and an unused ControlNetLoader. */
function workflowWithUnknownNodes(): string {
  const doc = JSON.parse(COMFY_WORKFLOW) as { nodes: Record<string, unknown>[]; last_node_id?: number }
  doc.nodes.push({
    id: 40,
    type: 'ControlNetLoader',
    pos: [60, 700],
    size: [320, 60],
    flags: {},
    order: 20,
    mode: 0,
    outputs: [{ name: 'CONTROL_NET', type: 'CONTROL_NET', links: [], slot_index: 0 }],
    properties: { 'Node name for S&R': 'ControlNetLoader' },
    widgets_values: ['control_v11p_sd15_canny.pth'],
  })
  doc.last_node_id = 40
  return JSON.stringify(doc)
}

describe('honest editor state', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('a node error (outline and panel) goes when undo restores what the error named', async () => {
    const { page } = app
    await page.evaluate(() => window.__hypersd!.setAutoRun(false))
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), GRAPH_TEXT)
    await deleteNode(page, DECODE_NODE)
    const run = await runOnce(page)
    expect(run.status).toBe('error')
    const panel = page.locator('[data-testid=error-panel]')
    await panel.waitFor({ state: 'visible' })
    expect(await panel.textContent()).toContain('required IMAGE input is not connected')
    await expect.poll(() => hasErrorOutline(page, SAVE_NODE)).toBe(true)
    await screenshot(page, 'editor-state-error-shown')

    await page.keyboard.press('Control+z')
    await page.waitForFunction((id) => id in window.__hypersd!.nodeTypes(), DECODE_NODE)
    await panel.waitFor({ state: 'detached' })
    await expect.poll(() => hasErrorOutline(page, SAVE_NODE)).toBe(false)
    await screenshot(page, 'editor-state-error-cleared-by-undo')
  })

  it('an edit elsewhere keeps the error; the next run replaces the old errors with its own', async () => {
    const { page } = app
    await deleteNode(page, DECODE_NODE)
    expect((await runOnce(page)).status).toBe('error')
    await expect.poll(() => hasErrorOutline(page, SAVE_NODE)).toBe(true)
    // Editing the prompt touches neither Save Image nor its links: the error still holds and stays shown.
    await page.evaluate(() => window.__hypersd!.setValue('2', 'text', 'a different prompt'))
    await page.waitForTimeout(300)
    await expect(page.locator('[data-testid=error-panel]').count()).resolves.toBe(1)
    // Opening a variant where Save Image is fed again but the decoder lacks its latent is not an edit; the run is
    // what clears Save Image's old error, and shows the decoder's.
    await page.evaluate(
      (json) => window.__hypersd!.loadGraph(json),
      variant((g) => {
        delete g.nodes.find((n) => n.id === DECODE_NODE)!.inputs['latent']
      }),
    )
    const run = await runOnce(page)
    expect(run.status).toBe('error')
    const text = (await page.locator('[data-testid=error-panel]').textContent()) ?? ''
    expect(text).toContain('input “latent”')
    expect(text).not.toContain('input “image”')
    await expect.poll(() => hasErrorOutline(page, DECODE_NODE)).toBe(true)
    await expect.poll(() => hasErrorOutline(page, SAVE_NODE)).toBe(false)
  })

  it('a run of a graph with no output node is refused with a clear message, not reported as done', async () => {
    const { page } = app
    await page.evaluate(
      (json) => window.__hypersd!.loadGraph(json),
      variant((g) => {
        g.nodes = g.nodes.filter((n) => n.type !== 'SaveImage')
      }),
    )
    const run = await runOnce(page)
    expect(run.status).toBe('error')
    expect(run.error).toContain('the graph has no output node: add Save Image or Preview Image')
    const panel = page.locator('[data-testid=error-panel]')
    await panel.waitFor({ state: 'visible' })
    expect(await panel.textContent()).toContain('the graph has no output node: add Save Image or Preview Image')
    await screenshot(page, 'editor-state-no-output-node')
    // Any change to the graph makes that message stale.
    await page.evaluate(() => window.__hypersd!.setValue('2', 'text', 'still no output'))
    await panel.waitFor({ state: 'detached' })
  })

  it('a ComfyUI import shows its report, keeps unknown nodes as placeholders, and saves both until dismissed', async () => {
    const { page } = app
    const input = page.locator('[data-testid=file-input]')
    await input.setInputFiles({ name: 'upscale-controlnet.json', mimeType: 'application/json', buffer: Buffer.from(workflowWithUnknownNodes()) })
    const report = page.locator('[data-testid=import-report]')
    await report.waitFor({ state: 'visible' })
    const reportText = (await report.textContent()) ?? ''
    for (const line of ['node 12 (UpscaleModelLoader)', 'node 13 (ImageUpscaleWithModel)', 'node 40 (ControlNetLoader)']) expect(reportText).toContain(line)
    expect(reportText).toContain('kept as a placeholder')
    // Checked against the editor's nodes on open: the report says which input the placeholders block and what to do.
    expect(reportText).toContain('node 14 (SaveImage) input "image": its source node 13 (ImageUpscaleWithModel) has no equivalent here')
    await expect(report.locator('details[data-section=blocking]').getAttribute('open')).resolves.not.toBeNull()
    // The nodes a line names are links to them: a click selects the node and centres the canvas on it, so "node 13"
    // can be found without a node id on the canvas.
    const refs = report.locator('details[data-section=blocking] [data-testid=node-ref]')
    expect(await refs.allTextContents()).toEqual(['node 14 (SaveImage)', 'node 13 (ImageUpscaleWithModel)', 'node 8 (VAEDecode)', 'node 13', 'node 13'])
    const canvasBox = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    for (const id of ['13', '8']) {
      await refs.and(page.locator(`[data-node-id="${id}"]`)).first().click()
      await expect
        .poll(async () => {
          const r = (await page.evaluate((nodeId) => window.__hypersd!.nodeRect(nodeId), id))!
          return Math.abs(r.x + r.width / 2 - (canvasBox.x + canvasBox.width / 2)) < 40 && Math.abs(r.y + r.height / 2 - (canvasBox.y + canvasBox.height / 2)) < 60
        })
        .toBe(true)
    }

    const imported = await graphJson(page)
    const placeholder = (id: string): GraphNodeJson | undefined => imported.nodes.find((n) => n.id === id)
    expect(placeholder('40')).toMatchObject({
      type: 'ControlNetLoader',
      placeholder: { origin: 'comfyui', outputs: [{ name: 'CONTROL_NET', type: 'CONTROL_NET' }], widgets: ['control_v11p_sd15_canny.pth'] },
    })
    expect(placeholder('13')).toMatchObject({ type: 'ImageUpscaleWithModel', inputs: { upscale_model: { from: ['12', 'UPSCALE_MODEL'] } } })
    expect(placeholder('14')?.inputs['image']).toEqual({ from: ['13', 'IMAGE'] })
    expect(imported.metadata?.importReport?.placeholders).toHaveLength(3)
    expect(imported.metadata?.importReport?.blocking).toHaveLength(1)
    await screenshot(page, 'editor-state-comfyui-placeholders')

    // The upscaler's Save Image needs the placeholders: the run names them; the unused ControlNetLoader is no problem.
    const run = await runOnce(page)
    expect(run.status).toBe('error')
    const errors = (await page.locator('[data-testid=error-panel]').textContent()) ?? ''
    expect(errors).toContain('unknown node type "ImageUpscaleWithModel"')
    expect(errors).not.toContain('ControlNetLoader')

    // Save, open something else, reopen the saved file: placeholders and report come back.
    await page.locator('[data-testid=graph-canvas]').focus()
    const save = async (): Promise<string> => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')])
      return readFileSync(await download.path(), 'utf8')
    }
    const saved = await save()
    expect(JSON.parse(saved)).toMatchObject({ metadata: { importReport: { placeholders: imported.metadata!.importReport!.placeholders } } })
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), GRAPH_TEXT)
    await report.waitFor({ state: 'detached' })
    await input.setInputFiles({ name: 'saved.json', mimeType: 'application/json', buffer: Buffer.from(saved) })
    await report.waitFor({ state: 'visible' })
    const reopened = await graphJson(page)
    expect(reopened.nodes.filter((n) => n.placeholder).map((n) => `${n.id}:${n.type}`)).toEqual(['12:UpscaleModelLoader', '13:ImageUpscaleWithModel', '40:ControlNetLoader'])
    expect(reopened.nodes.find((n) => n.id === '40')).toEqual(placeholder('40'))

    // Dismissed, the report leaves the graph: a save and reopen no longer shows it, the placeholders stay.
    await page.locator('[data-testid=import-report-dismiss]').click()
    await report.waitFor({ state: 'detached' })
    await page.locator('[data-testid=graph-canvas]').focus()
    const afterDismiss = await save()
    expect(JSON.parse(afterDismiss).metadata?.importReport).toBeUndefined()
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), GRAPH_TEXT)
    await input.setInputFiles({ name: 'dismissed.json', mimeType: 'application/json', buffer: Buffer.from(afterDismiss) })
    await page.waitForFunction(() => JSON.parse(window.__hypersd!.graphJson()).nodes.some((n: { type: string }) => n.type === 'ControlNetLoader'))
    await expect(report.count()).resolves.toBe(0)
    await screenshot(page, 'editor-state-report-dismissed')
  })
})
