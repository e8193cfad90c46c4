// Placeholder nodes and the import report in the graph file: written and read back byte for byte, and held to
// the same safety rules as the rest of the file.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { GraphFileError, parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'

const workflow = readFileSync(new URL('./fixtures/comfyui/default-lora-note.workflow.json', import.meta.url), 'utf8')

describe('placeholders in the graph file', () => {
  const { graph } = importComfyUI(workflow, 'upscale.json')

  it('round-trips byte for byte, placeholder data and import report included', () => {
    const text = serializeGraphFile(graph)
    expect(text).toContain('"placeholder": {')
    expect(text).toContain('"importReport": {')
    const back = parseGraphFile(text)
    expect(back).toEqual(graph)
    expect(serializeGraphFile(back)).toBe(text)
  })

  it('refuses hostile keys inside placeholder widget values', () => {
    const text = serializeGraphFile(graph).replace('"widgets": ["4x-UltraSharp.pth"]', '"widgets": [{"__proto__": {"polluted": true}}]')
    expect(text).toContain('__proto__')
    expect(() => parseGraphFile(text)).toThrow(GraphFileError)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('a clean import carries no report', () => {
    const prompt = { '1': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } } }
    expect(importComfyUI(JSON.stringify(prompt)).graph.metadata?.importReport).toBeUndefined()
  })
})
