// Fixed-length model input for a CLIP text encoder: BOS + up to (maxLength - 2) tokens + EOS, then padding,
// the way diffusers calls the tokenizer (padding="max_length", truncation=True).

import type { ClipTokenizer } from './clip-tokenizer.js'

export interface ModelInputOptions {
  /** Sequence length the text encoder takes (77 for CLIP). */
  readonly maxLength?: number
  /** Pad id (SD1.5: 49407, SDXL tokenizer_2: 0); see padIdFromConfig. */
  readonly padId: number
}

export interface ModelInput {
  /** Exactly maxLength ids. */
  readonly ids: Int32Array
  /** Prompt tokens (without BOS/EOS) that did not fit and were dropped. */
  readonly dropped: number
  /** Prompt tokens (without BOS/EOS) before truncation. */
  readonly tokenCount: number
  /** Index of the EOS token (where CLIP's pooled output is taken). */
  readonly eosIndex: number
}

export function tokenizeForModel(tokenizer: ClipTokenizer, text: string, options: ModelInputOptions): ModelInput {
  const maxLength = options.maxLength ?? 77
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new Error(`maxLength must be an integer >= 2, got ${maxLength}`)
  const body = tokenizer.encodeBody(text)
  const kept = Math.min(body.length, maxLength - 2)
  const ids = new Int32Array(maxLength).fill(options.padId)
  ids[0] = tokenizer.bosId
  for (let i = 0; i < kept; i++) ids[i + 1] = body[i]!
  ids[kept + 1] = tokenizer.eosId
  return { ids, dropped: body.length - kept, tokenCount: body.length, eosIndex: kept + 1 }
}
