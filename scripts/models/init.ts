// Parameter initialisation for the tiny models: variance-preserving weights so activations stay O(1) through the
// stack (outputs are finite and non-trivial), small biases. Each model gets its own seed.

import type { ParamInit } from '../../src/models/onnx/builder.js'
import { mulberry32, normalArray, normalSampler } from './prng.js'

export function seededInit(seed: number): ParamInit {
  const normal = normalSampler(mulberry32(seed))
  return (kind, dims, fanIn) => {
    const count = dims.reduce((a, b) => a * b, 1)
    return kind === 'weight' ? normalArray(normal, count, 1 / Math.sqrt(fanIn)) : normalArray(normal, count, 0.02)
  }
}
