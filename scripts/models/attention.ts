// Scaled dot-product attention over already-projected [B, L, heads*headDim] tensors, exported the way torch traces
// it: split heads with Reshape/Transpose, MatMul, scale, optional additive mask, Softmax, MatMul, merge heads.

import type { GraphBuilder } from '../../src/models/onnx/builder.js'

export interface AttentionInputs {
  query: string
  key: string
  value: string
  heads: number
  headDim: number
  /** Additive mask broadcastable to [B, heads, Lq, Lk] (e.g. CLIP's causal mask). */
  mask?: string
  /** Multiply the query by 1/sqrt(headDim) before the product (CLIP) instead of scaling the scores (SDPA). */
  scaleQuery?: boolean
}

export function scaledDotProductAttention(b: GraphBuilder, a: AttentionInputs): string {
  const scale = 1 / Math.sqrt(a.headDim)
  const split = (x: string, perm: number[]) =>
    b.op('Transpose', [b.op('Reshape', [x, b.constantInt64([0, 0, a.heads, a.headDim])])], { perm })
  const q = split(a.scaleQuery ? b.op('Mul', [a.query, b.constantFloat([scale])]) : a.query, [0, 2, 1, 3])
  const kT = split(a.key, [0, 2, 3, 1])
  const v = split(a.value, [0, 2, 1, 3])
  let scores = b.op('MatMul', [q, kT])
  if (!a.scaleQuery) scores = b.op('Mul', [scores, b.constantFloat([scale])])
  if (a.mask) scores = b.op('Add', [scores, a.mask])
  const probs = b.op('Softmax', [scores], { axis: -1 })
  const merged = b.op('Transpose', [b.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] })
  return b.op('Reshape', [merged, b.constantInt64([0, 0, a.heads * a.headDim])])
}
