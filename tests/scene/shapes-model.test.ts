// The bundled shapes model: the files the shapes graphs name must be on disk (a missing one is listed by name), and
// the 4-step graph must draw its default prompt right on them.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const MODELS = join(ROOT, 'public', 'models')
const SHAPES_GRAPHS = readdirSync(join(ROOT, 'graphs')).filter((f) => f.startsWith('shapes-') && f.endsWith('.json'))

/** Model folders (checked by their model_index.json) and LoRA files the shapes graphs name. */
function namedFiles(): string[] {
  const files = new Set<string>()
  for (const name of SHAPES_GRAPHS) {
    for (const node of shippedGraph(name).nodes) {
      const { model, lora } = node.inputs
      if (node.type === 'LoadPipeline' && typeof model === 'string') files.add(join(model, 'model_index.json'))
      if (node.type === 'UNetLoRA' && typeof lora === 'string') files.add(lora)
    }
  }
  return [...files].sort()
}

const missing = () => namedFiles().filter((f) => !existsSync(join(MODELS, f)))
const MISSING_HINT = 'training/ exports them into public/models/ (npm run train)'

const host = createTestHost()
afterAll(() => host.dispose())

describe('the bundled hyper-shapes model', () => {
  it('the shapes graphs name the model and the LoRAs', () => {
    expect(SHAPES_GRAPHS).toHaveLength(9)
    expect(namedFiles()).toContain('hyper-shapes/model_index.json')
    expect(namedFiles()).toContain('loras/hyper-shapes-4step-refl.safetensors')
    expect(namedFiles()).toContain('loras/hyper-shapes-1step-dmd.safetensors')
  })

  it('has every file the shapes graphs name', () => {
    expect(missing(), `missing shapes model files, ${MISSING_HINT}`).toEqual([])
  })

  it('runs graphs/shapes-4step.json and scores its image', async () => {
    expect(missing(), `missing shapes model files, ${MISSING_HINT}`).toEqual([])
    const result = await host.engine.run(withOverrides(shippedGraph('shapes-4step.json'), []))
    const scored = result.outputs.get('8') as { score: number; image: ImageBatch }
    expect([scored.image.width, scored.image.height]).toEqual([64, 64])
    // The default prompt is drawn right: every attribute (87.5% of held-out captions are at 4 steps; see the README).
    expect(scored.image.parameters.scene_caption).toBe('a large green triangle in the top right on a yellow background')
    expect(scored.score).toBe(1)
  })
})
