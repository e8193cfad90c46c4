// Which pasted text opens as a graph: ours (it declares a format), ComfyUI workflows and API prompts by shape;
// everything else (prose, numbers, other JSON) is left to an ordinary paste.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { looksLikeGraphText } from '../../src/graph/index.js'

const ROOT = join(import.meta.dirname, '..', '..')

describe('looksLikeGraphText', () => {
  it('recognises our graphs, ComfyUI workflows and ComfyUI API prompts', () => {
    expect(looksLikeGraphText(readFileSync(join(ROOT, 'graphs', 'tiny-sd15-4step.json'), 'utf8'))).toBe(true)
    expect(looksLikeGraphText(readFileSync(join(ROOT, 'tests', 'graph', 'fixtures', 'comfyui', 'default-lora-note.workflow.json'), 'utf8'))).toBe(true)
    expect(looksLikeGraphText('  {"3": {"class_type": "KSampler", "inputs": {}}, "4": {"class_type": "CheckpointLoaderSimple", "inputs": {}}}\n')).toBe(true)
    // A document that declares any format is judged as ours when opened, so a wrong version gets a clear message.
    expect(looksLikeGraphText('{"format": "something-else", "version": 9}')).toBe(true)
  })

  it('leaves other text alone', () => {
    for (const text of ['a cat in a hat', '42', '[1, 2]', '{"prompt": "a cat"}', '{"nodes": 3}', '{ not json', '', '{}']) {
      expect(looksLikeGraphText(text), text).toBe(false)
    }
  })
})
