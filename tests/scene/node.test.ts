// The SceneScore node through the engine: a test node hands it a rendered scene (with the prompt a sampler would
// have recorded), SaveImage writes the PNG, and the scores land in the PNG's parameters text.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Engine, NodeExecutionError, NodeRegistry, output, string, type ExecGraph } from '../../src/engine/index.js'
import { createCliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { readPngTextChunks } from '../../src/graph/png.js'
import { defineHostNode } from '../../nodes/define.js'
import { nodeDefinitions } from '../../nodes/index.js'
import type { ImageOutput } from '../../nodes/services.js'
import type { ImageBatch } from '../../nodes/types.js'
import { parseCaption, type Scene } from '../../src/scene/index.js'
import { renderScene } from './render.js'

const SCENE: Scene = { size: 'large', colour: 'red', shape: 'circle', position: 'in the middle', background: 'blue' }

/** Stands in for sampling + decoding: the rendered scene, blurred, with the prompt in its parameters. */
const renderedScene = defineHostNode({
  type: 'TestRenderedScene',
  version: 1,
  displayName: 'Rendered scene (test)',
  category: 'test',
  description: 'A rendered shapes scene.',
  inputs: {
    prompt: string({ default: '' }),
    caption: string({ default: 'a large red circle in the middle on a blue background' }),
    second: string({ default: '', description: 'A second image in the batch, of this caption.' }),
  },
  outputs: { image: output('IMAGE') },
  async execute({ prompt, caption, second }) {
    const render = (text: string) => renderScene({ ...SCENE, ...parseCaption(text) }, 7, 64, { blur: 1, noise: 4 })
    const images = [render(caption), ...(second ? [render(second)] : [])]
    const image: ImageBatch = { width: 64, height: 64, images, parameters: { seed: 1, ...(prompt ? { prompt } : {}) } }
    return { image }
  },
})

const hosts: { dispose(): Promise<void> }[] = []
afterAll(async () => Promise.all(hosts.map((h) => h.dispose())))

async function run(scoreInputs: Record<string, string>, sceneInputs: Record<string, string> = {}) {
  const images: ImageOutput[] = []
  const host = createCliHost({
    resolver: createModelResolver(join(import.meta.dirname, '..', '..', 'public', 'models'), new Map()),
    onImages: (out) => (images.push(out), [{ name: 'saved' }]),
  })
  hosts.push(host)
  const engine = new Engine({ registry: new NodeRegistry([...nodeDefinitions, renderedScene]), services: host.services })
  const graph: ExecGraph = {
    nodes: [
      { id: 'img', type: 'TestRenderedScene', inputs: sceneInputs },
      { id: 'score', type: 'SceneScore', inputs: { image: { from: ['img', 'image'] }, ...scoreInputs } },
      { id: 'save', type: 'SaveImage', inputs: { image: { from: ['score', 'image'] }, filename_prefix: 'scene' } },
    ],
  }
  const finished = new Map<string, number>()
  const result = await engine.run(graph, { onEvent: (e) => void (e.type === 'node-finished' && finished.set(e.nodeId, e.ms)) })
  return { outputs: result.outputs.get('score') as { score: number; all_right: number; result: string; image: ImageBatch; ms_per_image: number }, images, finished }
}

describe('SceneScore', () => {
  it('scores a rendered scene against its caption and passes the image on with the scores', async () => {
    const { outputs } = await run({ caption: 'a large red circle in the middle on a blue background' })
    expect(outputs.score).toBe(1)
    expect(outputs.all_right).toBe(1)
    expect(outputs.result.split('\n')).toEqual(['size ✓ large', 'colour ✓ red', 'shape ✓ circle', 'position ✓ in the middle', 'background ✓ blue'])
    expect(outputs.image.parameters).toMatchObject({ seed: 1, scene_score: 1, scene_all_right: true, scene_shape: '✓ circle', scene_background: '✓ blue' })
  })

  it('reports the time per image: what the scored images cost to make, over the batch', async () => {
    const { outputs, finished } = await run({ caption: '' }, { prompt: 'a red circle', caption: 'a red circle', second: 'a blue square' })
    // Two images rendered by the one upstream node: its compute time, halved.
    expect(outputs.ms_per_image).toBe(finished.get('img')! / 2)
    expect(outputs.ms_per_image).toBeGreaterThan(0)
  })

  it('reports what is wrong, attribute by attribute, for a partial caption', async () => {
    const { outputs } = await run({ caption: 'a small red square' })
    expect(outputs.score).toBeCloseTo(1 / 3, 4)
    expect(outputs.all_right).toBe(0)
    expect(outputs.result.split('\n')).toEqual(['size ✗ large (wanted small)', 'colour ✓ red', 'shape ✗ circle (wanted square)'])
    expect(outputs.image.parameters.scene_size).toBe('✗ large (wanted small)')
    expect(outputs.image.parameters.scene_position).toBeUndefined()
  })

  it("falls back to the image's own prompt when the caption is empty", async () => {
    const { outputs } = await run({ caption: '' }, { prompt: 'a large green triangle on the left on a white background', caption: 'a large green triangle on the left on a white background' })
    expect(outputs.score).toBe(1)
    expect(outputs.image.parameters.scene_caption).toBe('a large green triangle on the left on a white background')
  })

  it('writes the scores into the saved PNG metadata', async () => {
    const { images } = await run({ caption: 'a red circle on a blue background' })
    const text = readPngTextChunks(images[0]!.pngs[0]!).get('parameters') ?? ''
    expect(text).toContain('scene_score: 1')
    expect(text).toContain('scene_all_right: true')
    expect(text).toContain('scene_colour: ✓ red')
    expect(text).toContain('scene_caption: a red circle on a blue background')
  })

  it('scores every image of a batch and summarises per attribute', async () => {
    const { outputs } = await run({ caption: 'a large red circle' }, { second: 'a small red square' })
    expect(outputs.score).toBeCloseTo((1 + 1 / 3) / 2, 4)
    expect(outputs.all_right).toBe(0.5)
    expect(outputs.result.split('\n')).toEqual([
      'image 1: size ✓ large', 'image 1: colour ✓ red', 'image 1: shape ✓ circle',
      'image 2: size ✗ small (wanted large)', 'image 2: colour ✓ red', 'image 2: shape ✗ square (wanted circle)',
    ])
    expect(outputs.image.parameters).toMatchObject({ scene_all_right: '1/2', scene_size: '1/2 right', scene_colour: '2/2 right' })
  })

  it('names the caption input when the caption cannot be read or is missing', async () => {
    const bad = await run({ caption: 'a red hexagon' }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(NodeExecutionError)
    expect((bad as NodeExecutionError).input).toBe('caption')
    expect((bad as Error).message).toContain('did not understand "hexagon"')
    const none = await run({ caption: '' }).catch((e: unknown) => e)
    expect((none as NodeExecutionError).input).toBe('caption')
    expect((none as Error).message).toContain('no caption given and the image carries no prompt')
    const notShapes = await run({ caption: '' }, { prompt: 'a photo of an astronaut' }).catch((e: unknown) => e)
    expect((notShapes as Error).message).toContain("the image's prompt is not a shapes caption")
  })
})
