// Parsing of the Hugging Face tokenizer files: vocab.json, merges.txt, tokenizer.json (fast-tokenizer format),
// tokenizer_config.json and special_tokens_map.json. Only the fields used are read; JSON is never copied
// key-by-key into plain objects (a "__proto__" key stays inert: in a Map, or looked up as an own property).

import { EOS_TOKEN, type TokenIdLookup } from './clip-tokenizer.js'

/** CLIPTokenizer reads merges.txt lines [1, 49152 - 256 - 2 + 1): the header line is skipped. */
const CLIP_MERGE_COUNT = 49152 - 256 - 2

type JsonObject = { readonly [key: string]: unknown }

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new Error(`${what}: invalid JSON (${(err as Error).message})`)
  }
}

function field(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined
}

/**
 * vocab.json's token -> id over the object JSON.parse made: no second table of 49k entries is built (that and a
 * check of every id took as long as the parse itself, on the cold first image's path). Each id is checked when it
 * is looked up, and a bad one names its token. Own properties only: a "__proto__" token is an ordinary key.
 */
export class VocabIds implements TokenIdLookup {
  constructor(
    private readonly ids: JsonObject,
    private readonly what: string,
  ) {}

  get(token: string): number | undefined {
    if (!Object.hasOwn(this.ids, token)) return undefined
    const id = this.ids[token]
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new Error(`${this.what}: id of token ${JSON.stringify(token)} is not a non-negative integer`)
    }
    return id
  }
}

function vocabFromObject(obj: unknown, what: string): VocabIds {
  if (!isObject(obj)) throw new Error(`${what}: expected an object of token -> id`)
  return new VocabIds(obj, what)
}

export function parseVocabJson(text: string): VocabIds {
  return vocabFromObject(parseJson(text, 'vocab.json'), 'vocab.json')
}

/** Whitespace other than the one space between a merge's two parts (e.g. a CR of Windows line endings). */
const OTHER_WHITESPACE = /[^\S ]/
/** The same, over a whole file, where newlines separate the lines. */
const OTHER_WHITESPACE_IN_FILE = /[^\S \n]/

/** Merge pairs ("left right") in rank order; a blank line keeps its rank slot, as in CLIPTokenizer. */
export function parseMergesTxt(text: string): string[] {
  const lines = text.trim().split('\n').slice(1, 1 + CLIP_MERGE_COUNT)
  // One look over the file instead of one per line (48k of them) when it has no tab, CR or other odd whitespace.
  const spacesOnly = !OTHER_WHITESPACE_IN_FILE.test(text)
  return lines.map((line) => {
    // Nearly every line is already "left right": keep it as is instead of splitting and joining 48k strings.
    const space = line.indexOf(' ')
    const plain = space > 0 && space < line.length - 1 && line.indexOf(' ', space + 1) === -1 && (spacesOnly || !OTHER_WHITESPACE.test(line))
    return plain ? line : line.trim().split(/\s+/).join(' ')
  })
}

export interface TokenizerJsonContents {
  readonly vocab: VocabIds
  readonly merges: string[]
  readonly addedTokens: Map<string, number>
}

/** tokenizer.json: `model.vocab`, `model.merges` ("a b" strings or [a, b] pairs), `added_tokens`. */
export function parseTokenizerJson(text: string): TokenizerJsonContents {
  const root = parseJson(text, 'tokenizer.json')
  const model = isObject(root) ? field(root, 'model') : undefined
  if (!isObject(model)) throw new Error('tokenizer.json: missing "model" object')
  if (field(model, 'type') !== undefined && field(model, 'type') !== 'BPE') {
    throw new Error(`tokenizer.json: model.type is ${JSON.stringify(field(model, 'type'))}, expected "BPE"`)
  }
  const vocab = vocabFromObject(field(model, 'vocab'), 'tokenizer.json model.vocab')
  const rawMerges = field(model, 'merges')
  if (!Array.isArray(rawMerges)) throw new Error('tokenizer.json: model.merges is not an array')
  const merges = rawMerges.map((merge: unknown, i) => {
    if (typeof merge === 'string') return merge.trim().split(/\s+/).join(' ')
    if (Array.isArray(merge) && merge.length === 2 && merge.every((part) => typeof part === 'string')) return merge.join(' ')
    throw new Error(`tokenizer.json: model.merges[${i}] is neither "a b" nor ["a", "b"]`)
  })
  const addedTokens = new Map<string, number>()
  const added = isObject(root) ? field(root, 'added_tokens') : undefined
  if (Array.isArray(added)) {
    for (const entry of added) {
      if (!isObject(entry)) continue
      const content = field(entry, 'content')
      const id = field(entry, 'id')
      if (typeof content === 'string' && typeof id === 'number') addedTokens.set(content, id)
    }
  }
  return { vocab, merges, addedTokens }
}

/** A token field of tokenizer_config.json / special_tokens_map.json: a string or {"content": ...}. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (isObject(value) && typeof field(value, 'content') === 'string') return field(value, 'content') as string
  return undefined
}

function parseOptionalJson(text: string | undefined, what: string): JsonObject | undefined {
  if (text === undefined) return undefined
  const value = parseJson(text, what)
  if (!isObject(value)) throw new Error(`${what}: expected a JSON object`)
  return value
}

/** `added_tokens_decoder` of tokenizer_config.json as content -> id. */
function addedTokensDecoder(config: JsonObject | undefined): Map<string, number> {
  const out = new Map<string, number>()
  const decoder = config ? field(config, 'added_tokens_decoder') : undefined
  if (!isObject(decoder)) return out
  for (const [idText, entry] of Object.entries(decoder)) {
    const content = tokenContent(entry)
    const id = Number(idText)
    if (content !== undefined && Number.isInteger(id) && id >= 0) out.set(content, id)
  }
  return out
}

const SPECIAL_TOKEN_FIELDS = ['bos_token', 'eos_token', 'unk_token', 'pad_token'] as const

/**
 * The tokens transformers matches verbatim before normalising: the special tokens (bos, eos, unk, pad) and the
 * entries of `added_tokens_decoder`. This matters for SDXL's tokenizer_2, whose pad token "!" then encodes as 0.
 */
export function addedTokensFromConfig(
  tokenizerConfigJson: string | undefined,
  specialTokensMapJson: string | undefined,
  vocab: TokenIdLookup,
): Map<string, number> {
  const config = parseOptionalJson(tokenizerConfigJson, 'tokenizer_config.json')
  const special = parseOptionalJson(specialTokensMapJson, 'special_tokens_map.json')
  const added = addedTokensDecoder(config)
  for (const source of [special, config]) {
    if (!source) continue
    for (const key of SPECIAL_TOKEN_FIELDS) {
      const content = tokenContent(field(source, key))
      const id = content === undefined ? undefined : (added.get(content) ?? vocab.get(content))
      if (content !== undefined && id !== undefined) added.set(content, id)
    }
  }
  return added
}

/** Pad id from `pad_token` (tokenizer_config.json, else special_tokens_map.json); CLIP's default is <|endoftext|>. */
export function padIdFromConfig(
  tokenizerConfigJson: string | undefined,
  specialTokensMapJson: string | undefined,
  vocab: TokenIdLookup,
): number {
  const config = parseOptionalJson(tokenizerConfigJson, 'tokenizer_config.json')
  const special = parseOptionalJson(specialTokensMapJson, 'special_tokens_map.json')
  const padToken =
    tokenContent(config ? field(config, 'pad_token') : undefined) ??
    tokenContent(special ? field(special, 'pad_token') : undefined) ??
    EOS_TOKEN
  const id = addedTokensDecoder(config).get(padToken) ?? vocab.get(padToken)
  if (id === undefined) throw new Error(`tokenizer_config.json: pad_token ${JSON.stringify(padToken)} is not in the vocabulary`)
  return id
}

/** `model_max_length` from tokenizer_config.json when it is a sane number, else `fallback`. */
export function maxLengthFromConfig(tokenizerConfigJson: string | undefined, fallback = 77): number {
  const config = parseOptionalJson(tokenizerConfigJson, 'tokenizer_config.json')
  const value = config ? field(config, 'model_max_length') : undefined
  return typeof value === 'number' && Number.isInteger(value) && value >= 2 && value <= 4096 ? value : fallback
}
