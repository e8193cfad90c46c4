// Renders one caption at one seed with one variant through the engine, on the shipped graph with the variant's
// overrides, and scores the image with the same measurement the Scene Score node uses.
import type { Engine, NodeRegistry } from '../../src/engine/index.js'
import { applyOverrides, toExecGraph } from '../../src/graph/exec.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { scoreScene, type SceneScore } from '../../src/scene/index.js'
import type { ImageBatch } from '../../nodes/types.js'
import type { NodeServices } from '../../nodes/services.js'
import { variantOverrides, type EvalVariant } from './variants.js'

export interface Sample {
  readonly image: ImageBatch
  readonly score: SceneScore
}

/** The graph's node ids the variants override (scripts/graph-templates.ts): prompt, sampler, LoRA, scorer. */
const SCORER = '8'

export async function renderSample(engine: Engine<NodeServices>, registry: NodeRegistry, graph: GraphFile, variant: EvalVariant, caption: string, seed: number): Promise<Sample> {
  const overridden = applyOverrides(graph, variantOverrides(variant, caption, seed), registry)
  // Saving would only encode PNGs nobody reads: the scorer is an output node, so it alone pulls the pipeline.
  const exec = toExecGraph({ ...overridden, nodes: overridden.nodes.filter((n) => n.type !== 'SaveImage') })
  const result = await engine.run(exec)
  const scored = result.outputs.get(SCORER)?.image as ImageBatch | undefined
  if (!scored) throw new Error(`graphs/${variant.graph} has no Scene Score node "${SCORER}"`)
  const data = scored.images[0]!
  return { image: scored, score: scoreScene(caption, { width: scored.width, height: scored.height, data }) }
}
