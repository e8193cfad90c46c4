// Combining prompts' encodings as ComfyUI's conditioning nodes do: a weighted average of two, one after the other
// along the tokens, and zeros (an "empty" conditioning that is not the empty prompt's encoding).
import { float, InputError, output, socket } from '../src/engine/index.js'
import { defineHostNode } from './define.js'
import type { Conditioning } from './types.js'

function sameEncoder(to: Conditioning, from: Conditioning): void {
  if (to.dims[2] !== from.dims[2]) throw new InputError('conditioning_from', `has ${from.dims[2]} features per token and conditioning_to ${to.dims[2]}: they come from different text encoders`)
}

export const conditioningAverage = defineHostNode({
  type: 'ConditioningAverage',
  version: 1,
  displayName: 'Conditioning Average',
  category: 'conditioning',
  description:
    "Blends two prompts' encodings: conditioning_to x strength + conditioning_from x (1 - strength), token by token (SDXL's pooled embeddings too), as ComfyUI's Conditioning Average does. conditioning_from is cut to conditioning_to's length, or padded with zeros. The saved image names conditioning_to's prompt.",
  inputs: {
    conditioning_to: socket('CONDITIONING'),
    conditioning_from: socket('CONDITIONING'),
    conditioning_to_strength: float({ default: 1, min: 0, max: 1, step: 0.01, precision: 2, description: "conditioning_to's share; 1 gives it alone, 0 conditioning_from alone." }),
  },
  outputs: { conditioning: output('CONDITIONING') },
  execute({ conditioning_to: to, conditioning_from: from, conditioning_to_strength: strength }) {
    sameEncoder(to, from)
    const [, tokens, dim] = to.dims
    const f = Math.fround
    // torch multiplies float32 tensors by a Python float as float32: the strength and 1 - strength (in double) rounded.
    const keep = f(strength)
    const rest = f(1 - strength)
    const fromTokens = from.dims[1]
    const hiddenStates = new Float32Array(tokens * dim)
    for (let t = 0; t < tokens; t++) {
      for (let d = 0; d < dim; d++) {
        const i = t * dim + d
        const other = t < fromTokens ? from.hiddenStates[i]! : 0
        hiddenStates[i] = f(f(to.hiddenStates[i]! * keep) + f(other * rest))
      }
    }
    const pooledTo = to.pooled ?? from.pooled
    const pooled = from.pooled && pooledTo ? Float32Array.from(pooledTo, (v, i) => f(f(v * keep) + f(from.pooled![i]! * rest))) : (to.pooled ?? from.pooled)
    return { conditioning: { hiddenStates, dims: to.dims, prompt: to.prompt, ...(pooled ? { pooled } : {}) } }
  },
})

export const conditioningConcat = defineHostNode({
  type: 'ConditioningConcat',
  version: 1,
  displayName: 'Conditioning Concat',
  category: 'conditioning',
  description:
    "Puts conditioning_from's tokens after conditioning_to's, as ComfyUI's Conditioning (Concat) does: the UNet attends to both prompts, each encoded on its own (CLIP's attention does not mix them). The pooled embedding is conditioning_to's.",
  inputs: {
    conditioning_to: socket('CONDITIONING'),
    conditioning_from: socket('CONDITIONING'),
  },
  outputs: { conditioning: output('CONDITIONING') },
  execute({ conditioning_to: to, conditioning_from: from }) {
    sameEncoder(to, from)
    const hiddenStates = new Float32Array(to.hiddenStates.length + from.hiddenStates.length)
    hiddenStates.set(to.hiddenStates)
    hiddenStates.set(from.hiddenStates, to.hiddenStates.length)
    const dims = [1, to.dims[1] + from.dims[1], to.dims[2]] as const
    return { conditioning: { hiddenStates, dims, prompt: `${to.prompt}, ${from.prompt}`, ...(to.pooled ? { pooled: to.pooled } : {}) } }
  },
})

export const conditioningZeroOut = defineHostNode({
  type: 'ConditioningZeroOut',
  version: 1,
  displayName: 'Conditioning Zero Out',
  category: 'conditioning',
  description:
    "All zeros in the conditioning's shape (its pooled embedding too), as ComfyUI's ConditioningZeroOut gives: the \"no prompt\" diffusers' SDXL pipelines guide against (force_zeros_for_empty_prompt), which differs from the empty prompt's encoding.",
  inputs: { conditioning: socket('CONDITIONING') },
  outputs: { conditioning: output('CONDITIONING') },
  execute({ conditioning }) {
    return {
      conditioning: {
        hiddenStates: new Float32Array(conditioning.hiddenStates.length),
        dims: conditioning.dims,
        prompt: '',
        ...(conditioning.pooled ? { pooled: new Float32Array(conditioning.pooled.length) } : {}),
      },
    }
  },
})
