// The LAION "improved aesthetic predictor" head: a purely linear MLP 768-1024-128-64-16-1 (its dropout layers are
// identity at inference and there are no activations) applied to an L2-normalised CLIP ViT-L/14 image embedding.
// Weights come from a safetensors file with the torch nn.Sequential keys layers.{0,2,4,6,7}.{weight,bias}.
import { readSafetensors, SafetensorsError } from '../models/safetensors/reader.js'
import { l2Normalize } from './vectors.js'

/** Sequential indices of the Linear layers in the original module (1, 3, 5 are Dropout). */
const LAYER_KEYS = [0, 2, 4, 6, 7] as const
/** Feature sizes from the embedding through every layer to the single score. */
export const AESTHETIC_WIDTHS = [768, 1024, 128, 64, 16, 1] as const
export const AESTHETIC_EMBED_DIM = AESTHETIC_WIDTHS[0]
/** Every tensor a head file holds, so a catalog can recognise one from its header alone. */
export const AESTHETIC_TENSOR_NAMES: readonly string[] = LAYER_KEYS.flatMap((key) => [`layers.${key}.weight`, `layers.${key}.bias`])

export interface LinearLayer {
  readonly name: string
  readonly inFeatures: number
  readonly outFeatures: number
  /** Torch layout [out, in], row-major. */
  readonly weight: Float32Array
  readonly bias: Float32Array
}

export interface AestheticHead {
  readonly file: string
  readonly layers: readonly LinearLayer[]
  readonly embedDim: number
}

export class AestheticHeadError extends Error {
  override readonly name = 'AestheticHeadError'
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/** Parses and validates the head: every tensor present, float, with the expected shape; errors name file and tensor. */
export function parseAestheticHead(bytes: Uint8Array, file: string): AestheticHead {
  let st
  try {
    st = readSafetensors(bytes, file)
  } catch (err) {
    if (err instanceof SafetensorsError) throw new AestheticHeadError(err.message, { cause: err })
    throw err
  }
  const layers = LAYER_KEYS.map((key, i) => {
    const inFeatures = AESTHETIC_WIDTHS[i]!
    const outFeatures = AESTHETIC_WIDTHS[i + 1]!
    const tensor = (part: 'weight' | 'bias', shape: readonly number[]): Float32Array => {
      const name = `layers.${key}.${part}`
      const info = st.tensors.get(name)
      if (!info) throw new AestheticHeadError(`${file}: missing tensor "${name}" (expected shape [${shape.join(', ')}])`)
      if (!sameShape(info.shape, shape)) {
        throw new AestheticHeadError(`${file}: tensor "${name}" has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}]`)
      }
      let data: Float32Array
      try {
        data = st.floats(name).data
      } catch (err) {
        throw new AestheticHeadError(err instanceof Error ? err.message : String(err), { cause: err })
      }
      if (!data.every(Number.isFinite)) throw new AestheticHeadError(`${file}: tensor "${name}" holds non-finite values`)
      return data
    }
    return {
      name: `layers.${key}`,
      inFeatures,
      outFeatures,
      weight: tensor('weight', [outFeatures, inFeatures]),
      bias: tensor('bias', [outFeatures]),
    }
  })
  return { file, layers, embedDim: AESTHETIC_EMBED_DIM }
}

function applyLinear(layer: LinearLayer, x: Float64Array): Float64Array {
  const out = new Float64Array(layer.outFeatures)
  const { weight, bias, inFeatures } = layer
  for (let o = 0; o < layer.outFeatures; o++) {
    let sum = bias[o]!
    const row = o * inFeatures
    for (let i = 0; i < inFeatures; i++) sum += weight[row + i]! * x[i]!
    out[o] = sum
  }
  return out
}

/**
 * Score of one image embedding (any length-768 CLIP ViT-L/14 image embedding; it is L2-normalised here, as the
 * predictor was trained on normalised embeddings). Accumulates in float64.
 */
export function aestheticScore(head: AestheticHead, embedding: ArrayLike<number>): number {
  if (embedding.length !== head.embedDim) {
    throw new AestheticHeadError(`${head.file}: expects a ${head.embedDim}-dim CLIP image embedding, got ${embedding.length} values`)
  }
  let x = l2Normalize(embedding)
  for (const layer of head.layers) x = applyLinear(layer, x)
  return x[0]!
}

/** Scores of `count` embeddings stored back to back in `embeddings`. */
export function aestheticScores(head: AestheticHead, embeddings: Float32Array, count: number): number[] {
  const dim = embeddings.length / count
  if (!Number.isInteger(dim)) throw new AestheticHeadError(`${embeddings.length} embedding values do not split into ${count} rows`)
  return Array.from({ length: count }, (_, n) => aestheticScore(head, embeddings.subarray(n * dim, (n + 1) * dim)))
}
