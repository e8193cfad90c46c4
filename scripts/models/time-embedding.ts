// The UNet's conditioning embeddings, traced torch-style: Timesteps + TimestepEmbedding (time_proj, time_embedding)
// for every UNet, and SDXL's "text_time" added condition (add_time_proj of the 6 time_ids, concatenated after
// text_embeds, through add_embedding.linear_1/linear_2).

import type { GraphBuilder } from '../../src/models/onnx/builder.js'
import { DataType } from '../../src/models/onnx/types.js'

/** Timesteps(flip_sin_to_cos=True, downscale_freq_shift=0) of a 1-D float tensor: [cos(v f), sin(v f)] per value. */
function sinusoid(b: GraphBuilder, values: string, channels: number): string {
  const half = channels / 2
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half))
  const args = b.op('Mul', [b.op('Unsqueeze', [values, b.constantInt64([1])]), b.constantFloat(freqs, [1, half])])
  return b.op('Concat', [b.op('Cos', [args]), b.op('Sin', [args])], { axis: -1 })
}

/** TimestepEmbedding: linear_1 -> SiLU -> linear_2, in scope `name`. */
function mlpEmbedding(b: GraphBuilder, name: string, x: string, inFeatures: number, dim: number): string {
  return b.scope(name, () => {
    const linear1 = b.gemm('linear_1', x, inFeatures, dim)
    return b.gemm('linear_2', b.scope('act', () => b.silu(linear1)), dim, dim)
  })
}

/** time_embedding(time_proj(timestep)), the timestep broadcast to the batch of `sample`. */
export function timeEmbedding(b: GraphBuilder, timestep: string, sample: string, channels: number, dim: number): string {
  const t = b.op('Expand', [b.op('Cast', [timestep], { to: DataType.FLOAT }), b.op('Shape', [sample], { start: 0, end: 1 })])
  const tProj = b.scope('time_proj', () => sinusoid(b, t, channels))
  return mlpEmbedding(b, 'time_embedding', tProj, channels, dim)
}

export interface AddedConditionConfig {
  addTimeEmbedDim: number
  textEmbedsDim: number
}

/** SDXL's add_embedding(concat(text_embeds, add_time_proj(time_ids) flattened per row)). */
export function addedConditionEmbedding(b: GraphBuilder, c: AddedConditionConfig, dim: number, io: { textEmbeds: string; timeIds: string }): string {
  const timeEmbeds = b.scope('add_time_proj', () => {
    const flat = b.op('Reshape', [io.timeIds, b.constantInt64([-1])])
    const perId = sinusoid(b, flat, c.addTimeEmbedDim)
    return b.op('Reshape', [perId, b.op('Concat', [b.op('Shape', [io.textEmbeds], { start: 0, end: 1 }), b.constantInt64([-1])], { axis: 0 })])
  })
  const addInput = b.op('Concat', [io.textEmbeds, timeEmbeds], { axis: -1 })
  return mlpEmbedding(b, 'add_embedding', addInput, c.textEmbedsDim + 6 * c.addTimeEmbedDim, dim)
}
