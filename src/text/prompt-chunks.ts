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
  const push = (id: number, weight = 1) => {
    window.ids.push(id)
    window.weights.push(weight)
  }
  // EOS, then padding to the window's length (a window filled by a split word is full already).
  const finish = () => {
    push(tokenizer.eosId)
    while (window.ids.length < length) push(options.padId)
  }
  for (const word of words) {
    let ids = word.ids
    const large = ids.length >= MAX_WORD_TOKENS
    while (ids.length > 0) {
      if (ids.length + window.ids.length > length - 1) {
        if (large) {
          const room = length - window.ids.length - 1
          for (const id of ids.slice(0, room)) push(id, word.weight)
          ids = ids.slice(room)
        }
        finish()
        window = { ids: [tokenizer.bosId], weights: [1] }
        windows.push(window)
      } else {
        for (const id of ids) push(id, word.weight)
        ids = []
      }
    }
  }
  finish()
  return {
    ids: windows.map((w) => Int32Array.from(w.ids)),
    weights: windows.map((w) => Float64Array.from(w.weights)),
    weighted: words.some((w) => w.weight !== 1 && w.ids.length > 0),
    tokenCount: words.reduce((sum, w) => sum + w.ids.length, 0),
  }
}
