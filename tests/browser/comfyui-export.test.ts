// "Export for ComfyUI" in the editor: the toolbar button downloads <title>.comfyui.json, a ComfyUI workflow, and its
// menu also <title>.api.json, an API prompt; our import turns either back into the graph that was open; the
// differences ComfyUI would run are shown.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { appForSuite } from './harness.js'

const TCD_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/shapes-unified-tcd.json'), 'utf8')

describe('Export for ComfyUI', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('downloads a workflow that imports back into the open graph', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), TCD_GRAPH)
    const title = (await page.locator('[data-testid=graph-title]').textContent())!.trim()
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-comfyui-button]').click()])
    expect(download.suggestedFilename()).toBe(`${title.replace(/[^\w.-]+/g, '_')}.comfyui.json`)
    const text = readFileSync(await download.path(), 'utf8')
    const workflow = JSON.parse(text) as { version: number; nodes: { type: string }[] }
    expect(workflow.version).toBe(0.4)
    expect(workflow.nodes.map((n) => n.type)).toEqual(expect.arrayContaining(['CheckpointLoaderSimple', 'LoraLoader', 'TCDModelSamplingDiscrete', 'SamplerCustom', 'SceneScore']))
    const original = parseGraphFile(TCD_GRAPH)
    const back = importComfyUI(text, download.suggestedFilename())
    // The editor writes every input, defaults included (e.g. the sampler's empty sigmas); the file's values all return.
    expect(back.graph.nodes.map((n) => [n.id, n.type, n.inputs])).toEqual(original.nodes.map((n) => [n.id, n.type, expect.objectContaining(n.inputs)]))
    expect(back.report.warnings).toEqual([])
    // SceneScore has no ComfyUI counterpart: the editor says so.
    await page.locator('.toast.warn', { hasText: 'SceneScore has no ComfyUI counterpart' }).waitFor()
  })

  it('downloads an API prompt from the ComfyUI menu that imports back, in the app too, into the open graph', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), TCD_GRAPH)
    const title = (await page.locator('[data-testid=graph-title]').textContent())!.trim()
    await page.locator('[data-testid=export-comfyui-menu-button]').click()
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-comfyui-api-button]').click()])
    const fileName = `${title.replace(/[^\w.-]+/g, '_')}.api.json`
    expect(download.suggestedFilename()).toBe(fileName)
    const text = readFileSync(await download.path(), 'utf8')
    // An API prompt: node id -> { class_type, inputs }, with none of the UI workflow's fields.
    const prompt = JSON.parse(text) as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    expect(Array.isArray(prompt)).toBe(false)
    expect(Object.keys(prompt)).not.toContain('nodes')
    for (const [id, node] of Object.entries(prompt)) {
      expect(id).toMatch(/^\d+$/)
      expect(node, id).toEqual(expect.objectContaining({ class_type: expect.any(String), inputs: expect.any(Object) }))
    }
    expect(Object.values(prompt).map((n) => n.class_type)).toEqual(expect.arrayContaining(['CheckpointLoaderSimple', 'LoraLoader', 'TCDModelSamplingDiscrete', 'SamplerCustom', 'SceneScore']))
    // A link is [source node id, output slot].
    expect(Object.values(prompt).find((n) => n.class_type === 'SamplerCustom')!.inputs['model']).toEqual([expect.any(String), expect.any(Number)])
    await page.locator('.toast.warn', { hasText: fileName }).filter({ hasText: 'SceneScore has no ComfyUI counterpart' }).waitFor()

    // Same meaning as the workflow export gives back; a prompt carries no notes, as in ComfyUI. Its node ids are
    // object keys, which JSON keeps in numeric order: nodes are compared by id.
    const byId = <T extends { id: string }>(nodes: readonly T[]): T[] => [...nodes].sort((a, b) => Number(a.id) - Number(b.id))
    const original = parseGraphFile(TCD_GRAPH)
    const expected = byId(original.nodes.filter((n) => n.type !== 'Note')).map((n) => [n.id, n.type, expect.objectContaining(n.inputs)])
    const back = importComfyUI(text, fileName)
    expect(byId(back.graph.nodes).map((n) => [n.id, n.type, n.inputs])).toEqual(expected)
    expect(back.report.warnings).toEqual([])
    // The editor's own import (what dropping the file does) opens the same graph.
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), text)
    const reopened = parseGraphFile(await page.evaluate(() => window.__hypersd!.graphJson()))
    expect(byId(reopened.nodes).map((n) => [n.id, n.type, n.inputs])).toEqual(expected)
  })
})
