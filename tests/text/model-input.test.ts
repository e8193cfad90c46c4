import { beforeAll, describe, expect, it } from 'vitest'
import {
  clipTokenizerFromFiles,
  clipTokenizerFromFolderTexts,
  maxLengthFromConfig,
  padIdFromConfig,
  parseMergesTxt,
  parseVocabJson,
  tokenizeForModel,
  type ClipTokenizer,
  type VocabIds,
} from '../../src/text/index.js'
import { readClipFiles, readFixture } from './load-files.js'

let files: { vocabJson: string; mergesTxt: string }
let tokenizer: ClipTokenizer
let vocab: VocabIds

beforeAll(() => {
  files = readClipFiles()
  tokenizer = clipTokenizerFromFiles(files.vocabJson, files.mergesTxt)
  vocab = parseVocabJson(files.vocabJson)
})

describe('tokenizeForModel', () => {
  it('pads a short prompt to 77 with the pad id', () => {
    const input = tokenizeForModel(tokenizer, 'a photo of a cat', { padId: 49407 })
    expect(input.ids).toBeInstanceOf(Int32Array)
    expect(input.ids.length).toBe(77)
    expect(Array.from(input.ids.slice(0, 7))).toEqual([49406, 320, 1125, 539, 320, 2368, 49407])
    expect(Array.from(input.ids.slice(7))).toEqual(new Array<number>(70).fill(49407))
    expect(input).toMatchObject({ dropped: 0, tokenCount: 5, eosIndex: 6 })
  })

  it('pads with 0 for SDXL tokenizer_2', () => {
    const input = tokenizeForModel(tokenizer, 'a photo of a cat', { padId: 0 })
    expect(input.ids[6]).toBe(49407)
    expect(Array.from(input.ids.slice(7))).toEqual(new Array<number>(70).fill(0))
  })

  it('truncates a 200-word prompt to BOS + 75 tokens + EOS and counts what was dropped', () => {
    // Every word of this prompt is one token ("a</w>", "beautiful</w>", ...), so 200 words are 200 tokens.
    const words = 'a beautiful detailed painting of a castle on a hill at sunset with dramatic clouds and golden light'.split(' ')
    const prompt = Array.from({ length: 200 }, (_, i) => words[i % words.length]).join(' ')
    const body = tokenizer.encode(prompt).slice(1, -1)
    expect(body.length).toBe(200)
    const input = tokenizeForModel(tokenizer, prompt, { padId: 49407 })
    expect(input.tokenCount).toBe(200)
    expect(input.dropped).toBe(125)
    expect(input.eosIndex).toBe(76)
    expect(Array.from(input.ids)).toEqual([49406, ...body.slice(0, 75), 49407])
  })

  it('keeps exactly 75 tokens without dropping any', () => {
    const prompt = new Array<string>(75).fill('cat').join(' ')
    const input = tokenizeForModel(tokenizer, prompt, { padId: 49407 })
    expect(input.dropped).toBe(0)
    expect(input.ids[75]).toBe(2368)
    expect(input.ids[76]).toBe(49407)
  })

  it('supports other lengths and rejects nonsense', () => {
    expect(tokenizeForModel(tokenizer, 'a photo of a cat', { padId: 0, maxLength: 4 }).ids).toEqual(Int32Array.from([49406, 320, 1125, 49407]))
    expect(() => tokenizeForModel(tokenizer, 'x', { padId: 0, maxLength: 1 })).toThrow(/maxLength/)
  })
})

describe('tokenizer configs', () => {
  it('reads the pad id: SD1.5 <|endoftext|> -> 49407, SDXL tokenizer_2 "!" -> 0', () => {
    expect(padIdFromConfig(readFixture('sd15-tokenizer_config.json'), undefined, vocab)).toBe(49407)
    expect(padIdFromConfig(readFixture('sdxl-tokenizer_2-tokenizer_config.json'), undefined, vocab)).toBe(0)
    expect(padIdFromConfig(undefined, readFixture('sdxl-tokenizer_2-special_tokens_map.json'), vocab)).toBe(0)
    expect(padIdFromConfig(undefined, undefined, vocab)).toBe(49407)
  })

  it('reads model_max_length', () => {
    expect(maxLengthFromConfig(readFixture('sd15-tokenizer_config.json'))).toBe(77)
    expect(maxLengthFromConfig('{"model_max_length": 1000000000000000019884624838656}')).toBe(77)
  })

  it('names the file for broken JSON and an unknown pad token', () => {
    expect(() => padIdFromConfig('{', undefined, vocab)).toThrow(/tokenizer_config\.json: invalid JSON/)
    expect(() => padIdFromConfig('{"pad_token": "no-such-token"}', undefined, vocab)).toThrow(/tokenizer_config\.json: pad_token "no-such-token"/)
  })

  it('treats a __proto__ key in the vocabulary as an ordinary token', () => {
    const hostile = parseVocabJson('{"__proto__": 5, "a</w>": 1}')
    expect(hostile.get('__proto__')).toBe(5)
    // A bad id is reported, naming its token, when that token is looked up (the parse checks no 49k ids up front).
    const bad = parseVocabJson('{"a": "1", "b": -2, "c": 1.5, "d": 4}')
    for (const token of ['a', 'b', 'c']) expect(() => bad.get(token)).toThrow(`vocab.json: id of token "${token}" is not a non-negative integer`)
    expect(bad.get('d')).toBe(4)
    expect(bad.get('toString')).toBeUndefined()
    expect(() => clipTokenizerFromFiles('{"<|startoftext|>": "x", "<|endoftext|>": 2}', '#version: 0.2\n')).toThrow('vocab.json: id of token "<|startoftext|>"')
    expect(() => parseVocabJson('[1, 2]')).toThrow('vocab.json: expected an object of token -> id')
  })

  it('reads merges.txt as CLIPTokenizer does: Windows line endings, stray spaces, and a blank line keeping its rank', () => {
    const text = '#version: 0.2\r\nt h\r\n  i   n\t\n\nth e</w>\n'
    // Python: text.strip().split("\\n")[1:] then merge.split(): a blank line is an empty pair that still takes a rank.
    expect(parseMergesTxt(text)).toEqual(['t h', 'i n', '', 'th e</w>'])
    expect(parseMergesTxt('#version: 0.2\na b\nc d')).toEqual(['a b', 'c d'])
  })

  it('SDXL tokenizer_2 encodes "!" as its pad token 0, like transformers does', () => {
    // transformers adds every special token (pad "!" here) to the added-tokens trie, which matches before BPE.
    const { tokenizer: tokenizer2, padId } = clipTokenizerFromFolderTexts({
      ...files,
      tokenizerConfigJson: readFixture('sdxl-tokenizer_2-tokenizer_config.json'),
      specialTokensMapJson: readFixture('sdxl-tokenizer_2-special_tokens_map.json'),
    })
    expect(padId).toBe(0)
    const reference = JSON.parse(readFixture('reference-ids.json')) as { sdxl_tokenizer_2: Record<string, number[]> }
    for (const [text, ids] of Object.entries(reference.sdxl_tokenizer_2)) expect(tokenizer2.encode(text), text).toEqual(ids)
    expect(tokenizer2.encode('hello! world!')).toEqual([49406, 3306, 0, 1002, 0, 49407])
  })

  it('reads tokenizer.json (fast-tokenizer format, both merge spellings) with the same ids', () => {
    const merges = parseMergesTxt(files.mergesTxt)
    const addedTokens = [
      { id: 49406, content: '<|startoftext|>', special: true },
      { id: 49407, content: '<|endoftext|>', special: true },
    ]
    const vocabObject = JSON.parse(files.vocabJson) as unknown
    const asStrings = JSON.stringify({ added_tokens: addedTokens, model: { type: 'BPE', vocab: vocabObject, merges } })
    const asPairs = JSON.stringify({ added_tokens: addedTokens, model: { type: 'BPE', vocab: vocabObject, merges: merges.map((m) => m.split(' ')) } })
    const prompt = 'Apple CoreML developer tools on a Macbook Air are fast!! 42 café'
    for (const tokenizerJson of [asStrings, asPairs]) {
      const { tokenizer: fromJson, padId } = clipTokenizerFromFolderTexts({ tokenizerJson })
      expect(fromJson.encode(prompt)).toEqual(tokenizer.encode(prompt))
      expect(padId).toBe(49407)
    }
    expect(() => clipTokenizerFromFolderTexts({})).toThrow(/vocab\.json \+ merges\.txt or tokenizer\.json/)
    expect(() => clipTokenizerFromFolderTexts({ tokenizerJson: '{"model": {"type": "Unigram"}}' })).toThrow(/expected "BPE"/)
  })
})
