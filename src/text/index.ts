// Public API of the CLIP tokenizer.

import { ClipTokenizer } from './clip-tokenizer.js'
import { addedTokensFromConfig, parseMergesTxt, parseTokenizerJson, parseVocabJson, padIdFromConfig, type VocabIds } from './tokenizer-files.js'

export { ClipTokenizer, BOS_TOKEN, EOS_TOKEN } from './clip-tokenizer.js'
export { tokenizeForModel } from './model-input.js'
export type { ModelInput, ModelInputOptions } from './model-input.js'
export {
  addedTokensFromConfig,
  maxLengthFromConfig,
  padIdFromConfig,
  parseMergesTxt,
  parseTokenizerJson,
  parseVocabJson,
} from './tokenizer-files.js'
export type { VocabIds } from './tokenizer-files.js'
export type { TokenIdLookup } from './clip-tokenizer.js'
export { normalizeClipText } from './normalize.js'
export { parseEmphasis, type WeightedText } from './prompt-weights.js'
export { promptWindows, type PromptWindows, type WindowOptions } from './prompt-chunks.js'

/** CLIP tokenizer from the texts of vocab.json and merges.txt; `encode` gives ids with BOS/EOS, no padding. */
export function clipTokenizerFromFiles(vocabJson: string, mergesTxt: string): ClipTokenizer {
  return new ClipTokenizer({ vocab: parseVocabJson(vocabJson), merges: parseMergesTxt(mergesTxt) })
}

/** The texts of a tokenizer folder; either tokenizerJson or vocabJson + mergesTxt must be given. */
export interface TokenizerFileTexts {
  readonly vocabJson?: string
  readonly mergesTxt?: string
  readonly tokenizerJson?: string
  readonly tokenizerConfigJson?: string
  readonly specialTokensMapJson?: string
}

export interface LoadedClipTokenizer {
  readonly tokenizer: ClipTokenizer
  readonly padId: number
}

/** A tokenizer folder as diffusers ships it: special/added tokens and the pad id come from its configs. */
export function clipTokenizerFromFolderTexts(files: TokenizerFileTexts): LoadedClipTokenizer {
  let vocab: VocabIds
  let merges: string[]
  let addedTokens = new Map<string, number>()
  if (files.vocabJson !== undefined && files.mergesTxt !== undefined) {
    vocab = parseVocabJson(files.vocabJson)
    merges = parseMergesTxt(files.mergesTxt)
  } else if (files.tokenizerJson !== undefined) {
    ;({ vocab, merges, addedTokens } = parseTokenizerJson(files.tokenizerJson))
  } else {
    throw new Error('tokenizer: needs vocab.json + merges.txt or tokenizer.json')
  }
  for (const [content, id] of addedTokensFromConfig(files.tokenizerConfigJson, files.specialTokensMapJson, vocab)) {
    addedTokens.set(content, id)
  }
  const tokenizer = new ClipTokenizer({ vocab, merges, addedTokens })
  return { tokenizer, padId: padIdFromConfig(files.tokenizerConfigJson, files.specialTokensMapJson, vocab) }
}
