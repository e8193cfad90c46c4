// One text encoder's hidden states for a prompt, read as diffusers reads it (one 77-token window, the rest dropped)
// or as ComfyUI does (emphasis weights, as many 77-token windows as the prompt needs, concatenated).
import { promptWindows, tokenizeForModel, type LoadedClipTokenizer } from '../../src/text/index.js'

export const PROMPT_SYNTAXES = ['comfyui', 'diffusers'] as const
export type PromptSyntax = (typeof PROMPT_SYNTAXES)[number]

/** The encoder's ids as rows of 77; the caller runs them as one batch. */
export interface EncoderInput {
  readonly rows: readonly Int32Array[]
  /** Per window, the weight of each position; undefined when every weight is 1. */
  readonly weights?: readonly Float64Array[]
  /** Prompt tokens beyond the one window diffusers reads (dropped). */
  readonly dropped: number
  readonly tokenCount: number
}

export function encoderInput(loaded: LoadedClipTokenizer, text: string, syntax: PromptSyntax): EncoderInput {
  const { tokenizer, padId } = loaded
  if (syntax === 'diffusers') {
    const input = tokenizeForModel(tokenizer, text, { padId })
    return { rows: [input.ids], dropped: input.dropped, tokenCount: input.tokenCount }
  }
  const windows = promptWindows(tokenizer, text, { padId })
  if (!windows.weighted) return { rows: windows.ids, dropped: 0, tokenCount: windows.tokenCount }
  for (const weight of windows.weights.flatMap((w) => [...w])) {
    if (!Number.isFinite(weight)) throw new Error(`an emphasis weight is ${weight}; write a number, e.g. (word:1.2)`)
  }
  // The empty prompt's encoding is what weights scale from (ComfyUI encodes it in the same batch).
  return { rows: [...windows.ids, tokenizeForModel(tokenizer, '', { padId }).ids], weights: windows.weights, dropped: 0, tokenCount: windows.tokenCount }
}

/**
 * The windows' hidden states [windows * 77, dim], weighted as ComfyUI weights them: each token's state moved from
 * the empty prompt's state at its position by its weight, (z - empty) * w + empty, in float32 as torch computes it.
 */
export function weightedHiddenStates(all: Float32Array, dims: readonly number[], input: EncoderInput): { data: Float32Array; tokens: number; dim: number } {
  const [, length = 77, dim = 0] = dims
  const windows = input.weights?.length ?? input.rows.length
  const data = all.slice(0, windows * length * dim)
  if (input.weights) {
    const f = Math.fround
    const empty = all.subarray(windows * length * dim, (windows + 1) * length * dim)
    input.weights.forEach((weights, k) => {
      for (let j = 0; j < length; j++) {
        const w = weights[j]!
        if (w === 1) continue
        const w32 = f(w)
        for (let d = 0; d < dim; d++) {
          const at = (k * length + j) * dim + d
          const e = empty[j * dim + d]!
          data[at] = f(f(f(data[at]! - e) * w32) + e)
        }
      }
    })
  }
  return { data, tokens: windows * length, dim }
}
