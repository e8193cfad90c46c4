// "Export for ComfyUI" in the editor: the toolbar button downloads <title>.comfyui.json, a ComfyUI workflow that
// our import turns back into the graph that was open; the differences ComfyUI would run are shown.
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
})
