// An independent float64 forward pass of a CLIPVisionModelWithProjection, written from transformers' modelling code
// and reading the weights out of the ONNX file by their torch names (MatMul weights through their MatMul node).
import { findInitializer, findNode, requireGraph, tensorToFloat32, type OnnxGraph, type OnnxModel } from '../../src/models/onnx/index.js'

export interface VisionShape {
  imageSize: number
  patchSize: number
  hidden: number
  heads: number
  intermediate: number
  eps: number
}

type Matrix = Float64Array[]

function weight(graph: OnnxGraph, name: string): Float32Array {
  const t = findInitializer(graph, name)
  if (!t) throw new Error(`no initializer ${name}`)
  return tensorToFloat32(t)
}

/** y = x @ M (+ b), M stored [in, out] as torch exports nn.Linear. */
function linear(graph: OnnxGraph, scope: string, x: Matrix, inF: number, outF: number, bias: boolean): Matrix {
  const node = findNode(graph, `/${scope.replaceAll('.', '/').replace(/layers\/(\d+)/, 'layers.$1')}/MatMul`)
  if (!node) throw new Error(`no MatMul in ${scope}`)
  const m = weight(graph, node.input[1]!)
  const b = bias ? weight(graph, `${scope}.bias`) : new Float32Array(outF)
  return x.map((row) => {
    const out = new Float64Array(outF)
    for (let o = 0; o < outF; o++) {
      let s = b[o]!
      for (let i = 0; i < inF; i++) s += row[i]! * m[i * outF + o]!
      out[o] = s
    }
    return out
  })
}

function layerNorm(graph: OnnxGraph, scope: string, x: Matrix, eps: number): Matrix {
  const w = weight(graph, `${scope}.weight`)
  const b = weight(graph, `${scope}.bias`)
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * w[i]! + b[i]!)
  })
}

const add = (a: Matrix, b: Matrix): Matrix => a.map((row, t) => row.map((v, i) => v + b[t]![i]!))

function attention(graph: OnnxGraph, scope: string, x: Matrix, s: VisionShape): Matrix {
  const d = s.hidden
  const headDim = d / s.heads
  const q = linear(graph, `${scope}.q_proj`, x, d, d, true)
  const k = linear(graph, `${scope}.k_proj`, x, d, d, true)
  const v = linear(graph, `${scope}.v_proj`, x, d, d, true)
  const merged = x.map(() => new Float64Array(d))
  for (let h = 0; h < s.heads; h++) {
    const off = h * headDim
    for (let t = 0; t < x.length; t++) {
      const scores = k.map((kr) => {
        let dot = 0
        for (let i = 0; i < headDim; i++) dot += q[t]![off + i]! * kr[off + i]!
        return dot / Math.sqrt(headDim)
      })
      const max = Math.max(...scores)
      const e = scores.map((z) => Math.exp(z - max))
      const sum = e.reduce((a, b) => a + b, 0)
      for (let u = 0; u < x.length; u++) for (let i = 0; i < headDim; i++) merged[t]![off + i]! += (e[u]! / sum) * v[u]![off + i]!
    }
  }
  return linear(graph, `${scope}.out_proj`, merged, d, d, true)
}

/** image_embeds of one CHW image. */
export function referenceImageEmbeds(model: OnnxModel, pixels: Float32Array, s: VisionShape, projectionDim: number): Float64Array {
  const graph = requireGraph(model)
  const grid = s.imageSize / s.patchSize
  const d = s.hidden
  const p = s.patchSize
  const conv = weight(graph, 'vision_model.embeddings.patch_embedding.weight')
  const tokens: Matrix = [Float64Array.from(weight(graph, 'vision_model.embeddings.class_embedding'))]
  for (let py = 0; py < grid; py++) {
    for (let px = 0; px < grid; px++) {
      const t = new Float64Array(d)
      for (let o = 0; o < d; o++) {
        let sum = 0
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < p; ky++) {
            for (let kx = 0; kx < p; kx++) sum += conv[((o * 3 + c) * p + ky) * p + kx]! * pixels[(c * s.imageSize + py * p + ky) * s.imageSize + px * p + kx]!
          }
        }
        t[o] = sum
      }
      tokens.push(t)
    }
  }
  const positions = weight(graph, 'vision_model.embeddings.position_embedding.weight')
  let h = layerNorm(graph, 'vision_model.pre_layrnorm', tokens.map((row, t) => row.map((v, i) => v + positions[t * d + i]!)), s.eps)
  for (let l = 0; ; l++) {
    const scope = `vision_model.encoder.layers.${l}`
    if (!findInitializer(graph, `${scope}.layer_norm1.weight`)) break
    h = add(h, attention(graph, `${scope}.self_attn`, layerNorm(graph, `${scope}.layer_norm1`, h, s.eps), s))
    const fc1 = linear(graph, `${scope}.mlp.fc1`, layerNorm(graph, `${scope}.layer_norm2`, h, s.eps), d, s.intermediate, true)
    const act = fc1.map((row) => row.map((v) => v / (1 + Math.exp(-1.702 * v))))
    h = add(h, linear(graph, `${scope}.mlp.fc2`, act, s.intermediate, d, true))
  }
  const pooled = layerNorm(graph, 'vision_model.post_layernorm', [h[0]!], s.eps)
  return linear(graph, 'visual_projection', pooled, d, projectionDim, false)[0]!
}
