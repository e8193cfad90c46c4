// CLIP tokenizer with the ids of Hugging Face's (slow) CLIPTokenizer: special tokens are split off the raw text
// first (case-sensitive, like transformers' added-tokens trie), each remaining piece is normalised
// (normalize.ts), cut with CLIP's pre-tokenizer regex, mapped to byte-level characters and BPE-encoded.

import { BytePairEncoder } from './bpe.js'
import { toByteLevel } from './byte-level.js'
import { normalizeClipText } from './normalize.js'

export const BOS_TOKEN = '<|startoftext|>'
export const EOS_TOKEN = '<|endoftext|>'

/** CLIP's pre-tokenizer: special tokens, English contractions, letter runs, single digits, symbol runs. */
const PRE_TOKENIZER = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu

/** token -> id, as the tokenizer looks tokens up (tokenizer-files.ts's VocabIds over vocab.json; a Map works too). */
export interface TokenIdLookup {
  get(token: string): number | undefined
}

export interface ClipTokenizerData {
  /** token -> id (vocab.json or tokenizer.json model.vocab). */
  readonly vocab: TokenIdLookup
  /** Merge pairs in priority order, each "left right". */
  readonly merges: readonly string[]
  /** Tokens matched verbatim before normalisation (added/special tokens), with their ids. */
  readonly addedTokens?: ReadonlyMap<string, number>
}

export class ClipTokenizer {
  readonly vocab: TokenIdLookup
  readonly bosId: number
  readonly eosId: number
  private readonly addedTokens: ReadonlyMap<string, number>
  /** Added tokens, longest first, so the longest one wins at a position (as the trie does). */
  private readonly addedByLength: readonly string[]
  private readonly bpe: BytePairEncoder
  private readonly unknownId: number

  constructor(data: ClipTokenizerData) {
    this.vocab = data.vocab
    this.bosId = requireId(data.vocab, BOS_TOKEN)
    this.eosId = requireId(data.vocab, EOS_TOKEN)
    this.unknownId = this.eosId // CLIP's unk_token is <|endoftext|>
    const added = new Map<string, number>([
      [BOS_TOKEN, this.bosId],
      [EOS_TOKEN, this.eosId],
    ])
    for (const [content, id] of data.addedTokens ?? []) if (content.length > 0) added.set(content, id)
    this.addedTokens = added
    this.addedByLength = [...added.keys()].sort((a, b) => b.length - a.length)
    const ranks = new Map<string, number>()
    data.merges.forEach((pair, rank) => {
      if (!ranks.has(pair)) ranks.set(pair, rank)
    })
    this.bpe = new BytePairEncoder(ranks)
  }

  /** Number of distinct pre-tokens whose BPE result is cached. */
  get cacheSize(): number {
    return this.bpe.cacheSize
  }

  /** Ids with BOS and EOS, no truncation, no padding. */
  encode(text: string): number[] {
    const ids = [this.bosId]
    for (const id of this.encodeBody(text)) ids.push(id)
    ids.push(this.eosId)
    return ids
  }

  /** Ids without BOS/EOS. */
  encodeBody(text: string): number[] {
    const ids: number[] = []
    for (const piece of this.splitAddedTokens(text)) {
      if (piece.added !== undefined) ids.push(piece.added)
      else for (const token of this.tokenize(piece.text)) ids.push(this.vocab.get(token) ?? this.unknownId)
    }
    return ids
  }

  /** BPE tokens (strings) of a text without added tokens in it. */
  tokenize(text: string): string[] {
    const tokens: string[] = []
    for (const match of normalizeClipText(text).matchAll(PRE_TOKENIZER)) {
      const pre = match[0]
      // The special-token alternatives of the regex map to themselves (CLIPTokenizer seeds its cache that way).
      if (pre === BOS_TOKEN || pre === EOS_TOKEN) tokens.push(pre)
      // One token at a time: spreading a long word's tokens into push() overflows the call stack.
      else for (const token of this.bpe.encode(toByteLevel(pre))) tokens.push(token)
    }
    return tokens
  }

  private *splitAddedTokens(text: string): Generator<{ text: string; added?: number }> {
    let start = 0
    let i = 0
    while (i < text.length) {
      const hit = this.addedByLength.find((token) => text.startsWith(token, i))
      if (hit === undefined) {
        i++
        continue
      }
      if (i > start) yield { text: text.slice(start, i) }
      yield { text: hit, added: this.addedTokens.get(hit)! }
      i += hit.length
      start = i
    }
    if (start < text.length) yield { text: text.slice(start) }
  }
}

function requireId(vocab: TokenIdLookup, token: string): number {
  const id = vocab.get(token)
  if (id === undefined) throw new Error(`CLIP vocabulary has no "${token}" token`)
  return id
}
