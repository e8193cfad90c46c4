// Rewrites a VAE decoder so tiles can share their GroupNorm statistics. torch exports nn.GroupNorm as
// Reshape [N, G, -1] -> InstanceNormalization -> Reshape -> Mul -> Add. Two rewrites, alone or together:
// - `sums`: outputs `group_norm_sum_<k>` / `group_norm_sumsq_<k>` ([1, G] float32) and `group_norm_count_<k>` (int64):
//   each norm's input summed over the tile's core, the `tile_core` rectangle in latent cells [top, left, bottom,
//   right], scaled to the norm's resolution. Tiles whose cores partition the latent add up to the whole image's.
// - `given`: each norm normalises with inputs `group_norm_mean_<k>` / `group_norm_var_<k>` ([G] float32) instead of
//   the tile's own statistics: the InstanceNormalization becomes a BatchNormalization over the groups, one kernel
//   as before. (A switch between the two inside one graph computed both normalisations at every norm.)
// The host feeds the sums back (src/imaging/synced-tiles.ts).
import type { LazyModelSource, ModelLoader } from '../runtime/types.js'
import { decodeModel, encodeModel } from './onnx/codec.js'
import { makeAttribute, makeNode, makeTensor, makeValueInfo } from './onnx/factories.js'
import { addGraphInput, addGraphOutput, addInitializer, addNodes, producerOf, requireGraph } from './onnx/graph.js'
import { DataType, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx/types.js'

export const GROUP_NORM_SYNC = {
  core: 'tile_core',
  mean: (k: number) => `group_norm_mean_${k}`,
  variance: (k: number) => `group_norm_var_${k}`,
  sum: (k: number) => `group_norm_sum_${k}`,
  sumOfSquares: (k: number) => `group_norm_sumsq_${k}`,
  count: (k: number) => `group_norm_count_${k}`,
} as const

export interface GroupNormRewrite {
  /** Outputs each norm's sums over the tile's core. */
  readonly sums: boolean
  /** Normalises with given statistics instead of the tile's own. */
  readonly given: boolean
}

/** Why a decoder cannot be rewritten (the node then decodes tiles with their own statistics, and says so). */
export class GroupNormSyncError extends Error {}

const PREFIX = '/group_norm_sync'

function constantTensor(graph: OnnxGraph, name: string): OnnxTensor | undefined {
  const initializer = graph.initializer.find((t) => t.name === name)
  if (initializer) return initializer
  const node = producerOf(graph, name)
  return node?.opType === 'Constant' ? node.attribute.find((a) => a.name === 'value')?.t : undefined
}

function int64s(name: string, values: readonly number[]): OnnxTensor {
  return makeTensor({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values.map(BigInt) })
}

interface GroupNorm {
  readonly norm: OnnxNode
  /** The 4-D tensor before the reshape to [N, G, -1]. */
  readonly input4d: string
  /** The reshape's target shape ([0, G, -1]), reused for the core's statistics. */
  readonly groupShape: string
  readonly groups: number
  readonly epsilon: number
  readonly dataType: number
}

/** The decoder's GroupNorms, in graph order. */
function findGroupNorms(graph: OnnxGraph): GroupNorm[] {
  return graph.node
    .filter((n) => n.opType === 'InstanceNormalization')
    .map((norm) => {
      const where = `InstanceNormalization "${norm.name ?? ''}"`
      const reshape = producerOf(graph, norm.input[0] ?? '')
      if (reshape?.opType !== 'Reshape') throw new GroupNormSyncError(`${where} does not follow a Reshape (not a GroupNorm as torch exports it)`)
      const scale = constantTensor(graph, norm.input[1] ?? '')
      if (!scale || scale.dims.length !== 1) throw new GroupNormSyncError(`${where} has no constant scale`)
      const dataType = scale.dataType
      if (dataType !== DataType.FLOAT && dataType !== DataType.FLOAT16) throw new GroupNormSyncError(`${where} is not float32 or float16`)
      const epsilon = norm.attribute.find((a) => a.name === 'epsilon')?.f ?? 1e-5
      return { norm, input4d: reshape.input[0]!, groupShape: reshape.input[1]!, groups: scale.dims[0]!, epsilon, dataType }
    })
}

function opsetOf(model: OnnxModel): number {
  return Number(model.opsetImport.find((o) => (o.domain ?? '') === '')?.version ?? 0)
}

const c = (suffix: string) => `${PREFIX}/${suffix}`

/** ReduceSum takes its axes as an input from opset 13, ReduceSumSquare from opset 18 (an attribute before). */
function reduceOverGroups(op: 'ReduceSum' | 'ReduceSumSquare', opset: number, input: string, output: string): OnnxNode {
  const axesAsInput = op === 'ReduceSum' || opset >= 18
  return makeNode({
    opType: op,
    name: `${output}/${op}`,
    input: axesAsInput ? [input, c('axis_groups')] : [input],
    output: [output],
    attribute: [makeAttribute('keepdims', 0), ...(axesAsInput ? [] : [makeAttribute('axes', [2])])],
  })
}

/** The sums over the tile's core of the norm's input (float32), as graph outputs. */
function sumNodes(graph: OnnxGraph, gn: GroupNorm, k: number, opset: number): OnnxNode[] {
  const p = (suffix: string) => `${PREFIX}/${k}/${suffix}`
  const half = gn.dataType === DataType.FLOAT16
  addGraphOutput(graph, makeValueInfo(GROUP_NORM_SYNC.sum(k), DataType.FLOAT, [1, gn.groups]))
  addGraphOutput(graph, makeValueInfo(GROUP_NORM_SYNC.sumOfSquares(k), DataType.FLOAT, [1, gn.groups]))
  addGraphOutput(graph, makeValueInfo(GROUP_NORM_SYNC.count(k), DataType.INT64, []))
  return [
    // The core rectangle at this norm's resolution: latent cells times (this height / the latent's).
    makeNode({ opType: 'Shape', name: p('Shape'), input: [gn.input4d], output: [p('shape')] }),
    makeNode({ opType: 'Slice', name: p('hw'), input: [p('shape'), c('i2'), c('i4'), c('i0')], output: [p('hw')] }),
    makeNode({ opType: 'Div', name: p('factor'), input: [p('hw'), c('latent_hw')], output: [p('factor')] }),
    makeNode({ opType: 'Mul', name: p('starts'), input: [c('core_start'), p('factor')], output: [p('starts')] }),
    makeNode({ opType: 'Mul', name: p('ends'), input: [c('core_end'), p('factor')], output: [p('ends')] }),
    makeNode({ opType: 'Slice', name: p('core'), input: [gn.input4d, p('starts'), p('ends'), c('axes_hw')], output: [p('core')] }),
    // float16 sums of squares overflow: float32 for those.
    ...(half ? [makeNode({ opType: 'Cast', name: p('core_f32'), input: [p('core')], output: [p('core_f32')], attribute: [makeAttribute('to', DataType.FLOAT)] })] : []),
    makeNode({ opType: 'Reshape', name: p('groups'), input: [half ? p('core_f32') : p('core'), gn.groupShape], output: [p('grouped')] }),
    reduceOverGroups('ReduceSum', opset, p('grouped'), GROUP_NORM_SYNC.sum(k)),
    reduceOverGroups('ReduceSumSquare', opset, p('grouped'), GROUP_NORM_SYNC.sumOfSquares(k)),
    makeNode({ opType: 'Size', name: p('count'), input: [p('grouped')], output: [GROUP_NORM_SYNC.count(k)] }),
  ]
}

/** The norm as a BatchNormalization over the groups with the given mean and variance, in the model's dtype. */
function givenNodes(graph: OnnxGraph, gn: GroupNorm, k: number): OnnxNode[] {
  const p = (suffix: string) => `${PREFIX}/${k}/${suffix}`
  const mean = GROUP_NORM_SYNC.mean(k)
  const variance = GROUP_NORM_SYNC.variance(k)
  addGraphInput(graph, makeValueInfo(mean, DataType.FLOAT, [gn.groups]))
  addGraphInput(graph, makeValueInfo(variance, DataType.FLOAT, [gn.groups]))
  const half = gn.dataType === DataType.FLOAT16
  const cast = (input: string) =>
    half ? [makeNode({ opType: 'Cast', name: p(`${input}_f16`), input: [input], output: [p(`${input}_f16`)], attribute: [makeAttribute('to', DataType.FLOAT16)] })] : []
  const [y, scale, bias] = gn.norm.input
  const normalised = gn.norm.output[0]!
  graph.node.splice(graph.node.indexOf(gn.norm), 1)
  return [
    ...cast(mean),
    ...cast(variance),
    makeNode({
      opType: 'BatchNormalization',
      name: p('BatchNormalization'),
      input: [y!, scale!, bias!, half ? p(`${mean}_f16`) : mean, half ? p(`${variance}_f16`) : variance],
      output: [normalised],
      attribute: [makeAttribute('epsilon', { float: gn.epsilon })],
    }),
  ]
}

/**
 * Rewrites `model` in place (see the top of this file) and returns how many GroupNorms it found. Throws
 * GroupNormSyncError when the decoder has none or they are not in torch's exported form.
 */
export function rewriteGroupNorms(model: OnnxModel, rewrite: GroupNormRewrite, latentInput = 'latent_sample'): number {
  const opset = opsetOf(model)
  if (opset < 13) throw new GroupNormSyncError(`opset ${opset} is older than 13 (ReduceSum's axes input)`)
  const graph = requireGraph(model)
  if (!graph.input.some((i) => i.name === latentInput)) throw new GroupNormSyncError(`the decoder has no "${latentInput}" input`)
  const norms = findGroupNorms(graph)
  if (norms.length === 0) throw new GroupNormSyncError('the decoder has no GroupNorm')
  if (rewrite.sums) {
    for (const [name, values] of [['i2', [2]], ['i4', [4]], ['i0', [0]], ['axes_hw', [2, 3]], ['axis_groups', [2]]] as const) addInitializer(graph, int64s(c(name), values))
    addGraphInput(graph, makeValueInfo(GROUP_NORM_SYNC.core, DataType.INT64, [4]))
    const shared = [
      makeNode({ opType: 'Shape', name: c('latent/Shape'), input: [latentInput], output: [c('latent_shape')] }),
      makeNode({ opType: 'Slice', name: c('latent/Slice'), input: [c('latent_shape'), c('i2'), c('i4'), c('i0')], output: [c('latent_hw')] }),
      makeNode({ opType: 'Slice', name: c('core/start'), input: [GROUP_NORM_SYNC.core, c('i0'), c('i2'), c('i0')], output: [c('core_start')] }),
      makeNode({ opType: 'Slice', name: c('core/end'), input: [GROUP_NORM_SYNC.core, c('i2'), c('i4'), c('i0')], output: [c('core_end')] }),
    ]
    addNodes(graph, shared, graph.node[0])
  }
  norms.forEach((gn, k) => {
    // Inserted where the norm was: everything they read is computed by then.
    const next = graph.node[graph.node.indexOf(gn.norm) + 1]
    const nodes = [...(rewrite.sums ? sumNodes(graph, gn, k, opset) : []), ...(rewrite.given ? givenNodes(graph, gn, k) : [])]
    addNodes(graph, nodes, next)
  })
  return norms.length
}

/** The session-cache key and loader of `decoder` rewritten by rewriteGroupNorms (built in JS from its bytes). */
export function groupNormLoader(decoder: Pick<LazyModelSource, 'key' | 'load' | 'fileBytes'>, rewrite: GroupNormRewrite): { key: string; loader: ModelLoader } {
  const key = `${decoder.key}#group-norm(${[rewrite.sums ? 'sums' : '', rewrite.given ? 'given' : ''].filter(Boolean).join('+')})`
  const build = async () => {
    const base = await decoder.load()
    const model = decodeModel(base.bytes)
    rewriteGroupNorms(model, rewrite)
    return { ...base, key, bytes: encodeModel(model) }
  }
  const loader: ModelLoader = Object.assign(build, { rewrites: { withDeltas: false } }, decoder.fileBytes ? { fileBytes: () => decoder.fileBytes!() } : {})
  return { key, loader }
}
