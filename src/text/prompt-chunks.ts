// A prompt as ComfyUI gives it to CLIP: its emphasis parsed (prompt-weights.ts), each space-separated word tokenized,
// and the tokens laid out in 77-token windows (BOS, up to 75 tokens, EOS, padding), as many as the prompt needs. A
// word of fewer than 8 tokens that does not fit in a window's room starts the next window; a longer one is split.

import type { ClipTokenizer } from './clip-tokenizer.js'
import { parseEmphasis } from './prompt-weights.js'

/** ComfyUI's max_word_length: words of this many tokens or more may be split across windows. */
const MAX_WORD_TOKENS = 8

export interface PromptWindows {
  /** Each window's ids, `length` long: BOS, tokens, EOS, padding. */
  readonly ids: readonly Int32Array[]
  /** Each window's weight per position (1 for BOS, EOS and padding). */
  readonly weights: readonly Float64Array[]
  /** Whether any token has a weight other than 1 (then the encoding is blended with the empty prompt's). */
  readonly weighted: boolean
  /** Prompt tokens, without BOS/EOS/padding. */
  readonly tokenCount: number
}

export interface WindowOptions {
  readonly padId: number
  /** Window length (CLIP: 77). */
  readonly length?: number
}

export function promptWindows(tokenizer: ClipTokenizer, prompt: string, options: WindowOptions): PromptWindows {
  const length = options.length ?? 77
  const words: { ids: number[]; weight: number }[] = []
  for (const { text, weight } of parseEmphasis(prompt)) {
    for (const word of text.replaceAll('\n', ' ').split(' ')) {
      if (word !== '') words.push({ ids: tokenizer.encodeBody(word), weight })
    }
  }
  const windows: { ids: number[]; weights: number[] }[] = []
  let window = { ids: [tokenizer.bosId], weights: [1] }
  windows.push(window)
  const close = (pad: boolean) => {
    const room = length - window.ids.length - 1
    window.ids.push(tokenizer.eosId)
    window.weights.push(1)
    if (pad) for (let i = 0; i < room; i++) (window.ids.push(options.padId), window.weights.push(1))
    window = { ids: [tokenizer.bosId], weights: [1] }
    windows.push(window)
  }
  for (const word of words) {
    let ids = word.ids
    const large = ids.length >= MAX_WORD_TOKENS
    while (ids.length > 0) {
      if (ids.length + window.ids.length > length - 1) {
        const room = length - window.ids.length - 1
        if (large) {
          for (const id of ids.slice(0, room)) (window.ids.push(id), window.weights.push(word.weight))
          ids = ids.slice(room)
          // A window filled by a split word ends without padding: it is already full.
          close(false)
        } else close(true)
      } else {
        for (const id of ids) (window.ids.push(id), window.weights.push(word.weight))
        ids = []
      }
    }
  }
  window.ids.push(tokenizer.eosId)
  window.weights.push(1)
  while (window.ids.length < length) (window.ids.push(options.padId), window.weights.push(1))
  return {
    ids: windows.map((w) => Int32Array.from(w.ids)),
    weights: windows.map((w) => Float64Array.from(w.weights)),
    weighted: words.some((w) => w.weight !== 1 && w.ids.length > 0),
    tokenCount: words.reduce((sum, w) => sum + w.ids.length, 0),
  }
}
