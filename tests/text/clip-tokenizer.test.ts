import { beforeAll, describe, expect, it } from 'vitest'
import { clipTokenizerFromFiles, parseVocabJson, type ClipTokenizer, type VocabIds } from '../../src/text/index.js'
import { readClipFiles, readFixture } from './load-files.js'

let tokenizer: ClipTokenizer
let vocab: VocabIds
const id = (token: string): number => {
  const value = vocab.get(token)
  if (value === undefined) throw new Error(`test expects ${token} in the vocabulary`)
  return value
}

beforeAll(() => {
  const { vocabJson, mergesTxt } = readClipFiles()
  tokenizer = clipTokenizerFromFiles(vocabJson, mergesTxt)
  vocab = parseVocabJson(vocabJson)
})

describe('CLIP tokenizer: known ids from ../shared/reference/HYPER-SD.md', () => {
  it.each([
    ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
    ['a photo of an astronaut riding a horse on mars', [49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407]],
    [
      'Apple CoreML developer tools on a Macbook Air are fast',
      [49406, 3055, 19622, 5780, 10929, 5771, 525, 320, 20617, 1922, 631, 1953, 49407],
    ],
    ['Hello, World! 123', [49406, 3306, 267, 1002, 256, 272, 273, 274, 49407]],
  ])('%s', (text, expected) => {
    expect(tokenizer.encode(text)).toEqual(expected)
  })
})

// Hand-derived expectations: each id is looked up from vocab.json by the token the algorithm must produce.
describe('CLIP tokenizer: hand-derived cases', () => {
  it('empty and all-whitespace text give just BOS and EOS', () => {
    expect(tokenizer.encode('')).toEqual([49406, 49407])
    expect(tokenizer.encode(' \t\n\r  ')).toEqual([49406, 49407])
  })

  it('collapses repeated, leading and trailing whitespace, tabs and newlines', () => {
    const plain = tokenizer.encode('a red fox')
    expect(plain).toEqual([49406, id('a</w>'), id('red</w>'), id('fox</w>'), 49407])
    expect(tokenizer.encode('   a \t red\n\n  fox \r\n ')).toEqual(plain)
  })

  it('lower-cases before looking words up', () => {
    expect(tokenizer.encode('A RED FOX')).toEqual(tokenizer.encode('a red fox'))
  })

  it('splits every digit on its own', () => {
    // [\p{N}] matches one number character, so "2024" is four pre-tokens "2</w>" "0</w>" "2</w>" "4</w>".
    expect(tokenizer.encode('2024')).toEqual([49406, id('2</w>'), id('0</w>'), id('2</w>'), id('4</w>'), 49407])
  })

  it("splits English contractions off ('s 't 're)", () => {
    // The regex tries 's 't 're before letter runs, so "it's" is "it" + "'s".
    expect(tokenizer.encode("it's")).toEqual([49406, id('it</w>'), id("'s</w>"), 49407])
    expect(tokenizer.encode("don't")).toEqual([49406, id('don</w>'), id("'t</w>"), 49407])
    expect(tokenizer.encode("they're")).toEqual([49406, id('they</w>'), id("'re</w>"), 49407])
  })

  it('keeps a run of punctuation together as one pre-token', () => {
    // "!!!" is one [^\s\p{L}\p{N}]+ run; BPE merges it to the vocab entry "!!!</w>".
    expect(tokenizer.encode('wow!!!')).toEqual([49406, id('wow</w>'), id('!!!</w>'), 49407])
    // A symbol run stops at a letter: "((cat))" is "((" "cat" "))", each a whole word, so each ends in "</w>".
    expect(tokenizer.encode('((cat))')).toEqual([49406, id('((</w>'), id('cat</w>'), id('))</w>'), 49407])
  })

  it('does not unescape HTML entities', () => {
    // "&amp;" is "&" + "amp" + ";" pre-tokens; an unescaping tokenizer would give a single "&</w>".
    expect(tokenizer.encode('&amp;')).toEqual([49406, id('&</w>'), id('amp</w>'), id(';</w>'), 49407])
  })

  it('encodes accented letters as one word through their UTF-8 bytes', () => {
    // "é" is U+00E9, UTF-8 C3 A9, byte-level "Ã©"; "café" merges to the single vocab entry "cafÃ©</w>".
    expect(tokenizer.encode('café')).toEqual([49406, id('cafÃ©</w>'), 49407])
    // NFC composes "e" + U+0301 into "é", so the decomposed spelling gives the same id.
    expect(tokenizer.encode('cafe\u0301')).toEqual(tokenizer.encode('café'))
  })

  it('treats a literal <|endoftext|> as the special token', () => {
    expect(tokenizer.encode('cat<|endoftext|>dog')).toEqual([49406, id('cat</w>'), 49407, id('dog</w>'), 49407])
  })

  it('never produces an id outside the vocabulary', () => {
    const ids = tokenizer.encode('🐱‍👤 ☃ ∑ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u0000 \uffff')
    for (const value of ids) expect(value).toBeGreaterThanOrEqual(0)
    for (const value of ids) expect(value).toBeLessThan(49408)
  })

  it('caches BPE results per pre-token', () => {
    const before = tokenizer.cacheSize
    tokenizer.encode('zyzzyva zyzzyva zyzzyva')
    expect(tokenizer.cacheSize).toBe(before + 1)
  })
})

describe('CLIP tokenizer: agrees with an independent Python port of transformers', () => {
  // tests/text/fixtures/make-reference.py reimplements CLIPTokenizer with Python's unicodedata, str.lower and
  // str.split; reference-ids.json is its output for the prompts in prompts.json.
  const reference = JSON.parse(readFixture('reference-ids.json')) as { sd15: Record<string, number[]> }
  it.each(Object.entries(reference.sd15).map(([text, ids]) => [JSON.stringify(text).slice(0, 60), text, ids] as const))(
    '%s',
    (_label, text, ids) => {
      expect(tokenizer.encode(text)).toEqual(ids)
    },
  )
})
