// Before a WebGPU run: refuse an image size whose UNet buffers cannot fit the GPU (src/runtime/gpu-limits.ts), naming
// the EmptyLatent node that sets it. Only what can be known before anything runs is checked: a TSCDSampler whose
// latent comes straight from an EmptyLatent and whose UNet comes (through LoRA or weight nodes) from a LoadPipeline
// whose unet/config.json can be read. Anything else gives no estimate and is left to the run.
import { executionOrder, isLink, isSocket, NodeExecutionError, planRun, type ExecNode, type LinkRef, type NodeRegistry, type ExecGraph } from '../engine/index.js'
import { parseJsonSafely } from '../graph/safe-json.js'
import { joinPath, type FileSource } from '../models/files.js'
import { checkGpuLimits, gpuLimitMessage, unetShapeFromConfig, type GpuBufferLimits, type UNetShape } from '../runtime/gpu-limits.js'

/** How the host finds a model folder's files: the same FileSource and name resolution LoadPipeline uses. */
export interface ModelFiles {
  readonly files: FileSource
  resolveModel(name: string): string
}

/** A widget's value in the graph, or its declared default when the graph leaves it out. */
function widgetValue(node: ExecNode, input: string, registry: NodeRegistry): unknown {
  const binding = Object.hasOwn(node.inputs, input) ? node.inputs[input] : undefined
  if (binding !== undefined) return isLink(binding) ? undefined : binding
  const spec = registry.get(node.type)?.inputs[input]
  return spec && !isSocket(spec) ? spec.default : undefined
}

/** The pipeline name a UNET link comes from, following UNET inputs (LoRA, weights) up to its LoadPipeline. */
function pipelineOf(link: LinkRef, byId: ReadonlyMap<string, ExecNode>, registry: NodeRegistry): string | undefined {
  const seen = new Set<string>()
  let node = byId.get(link.from[0])
  while (node && !seen.has(node.id)) {
    seen.add(node.id)
    if (node.type === 'LoadPipeline') {
      const name = widgetValue(node, 'model', registry)
      return typeof name === 'string' ? name : undefined
    }
    const inputs = registry.get(node.type)?.inputs ?? {}
    const unetInput = Object.entries(inputs).find(([name, spec]) => isSocket(spec) && spec.type === 'UNET' && isLink(node!.inputs[name]))
    const next = unetInput ? node.inputs[unetInput[0]] : undefined
    node = isLink(next) ? byId.get(next.from[0]) : undefined
  }
  return undefined
}

/** The UNet's shape from `<pipeline>/unet/config.json`, or undefined when it is absent, unreadable or incomplete. */
async function unetShape(models: ModelFiles, pipeline: string): Promise<UNetShape | undefined> {
  try {
    const path = joinPath(models.resolveModel(pipeline), 'unet/config.json')
    if (!(await models.files.exists(path))) return undefined
    const config = parseJsonSafely(await models.files.readText(path))
    return typeof config === 'object' && config !== null && !Array.isArray(config) ? unetShapeFromConfig(config) : undefined
  } catch {
    return undefined // no estimate: LoadPipeline reports a bad folder or file with its own message
  }
}

/**
 * The refusal for the first sampler of `graph` whose image is too large for `limits`, as a NodeExecutionError on
 * its EmptyLatent node; undefined when every size it can estimate fits. A graph the engine would refuse anyway
 * (validation, mode issues) is left to the engine's message.
 */
export async function gpuLimitRefusal(graph: ExecGraph, registry: NodeRegistry, limits: GpuBufferLimits, models: ModelFiles): Promise<NodeExecutionError | undefined> {
  const { plan, targets, issues } = planRun(graph, registry)
  if (issues.length > 0) return undefined
  const byId = new Map(plan.graph.nodes.map((n) => [n.id, n]))
  const shapes = new Map<string, Promise<UNetShape | undefined>>()
  for (const id of executionOrder(plan.graph, targets)) {
    const sampler = byId.get(id)!
    if (sampler.type !== 'TSCDSampler') continue
    const latentLink = sampler.inputs.latent
    const modelLink = sampler.inputs.model
    const latent = isLink(latentLink) ? byId.get(latentLink.from[0]) : undefined
    if (!latent || latent.type !== 'EmptyLatent' || !isLink(modelLink)) continue
    const [width, height, batch] = ['width', 'height', 'batch'].map((input) => widgetValue(latent, input, registry))
    if (typeof width !== 'number' || typeof height !== 'number' || typeof batch !== 'number') continue
    const pipeline = pipelineOf(modelLink, byId, registry)
    if (pipeline === undefined) continue
    if (!shapes.has(pipeline)) shapes.set(pipeline, unetShape(models, pipeline))
    const shape = await shapes.get(pipeline)!
    if (!shape) continue
    // A cfg fed by a link is unknown here: counted as off, so the check never refuses what might fit.
    const cfg = widgetValue(sampler, 'cfg', registry)
    const size = { width, height, batch, cfg: typeof cfg === 'number' && cfg > 1 }
    const check = checkGpuLimits(shape, size, limits)
    if (check) return new NodeExecutionError(latent.id, latent.type, gpuLimitMessage(size, check, `UNet of "${pipeline}" in node ${sampler.id} (${sampler.type})`))
  }
  return undefined
}
