// ComfyUI's prompt syntax: emphasis parsed as comfy/sd1_clip.py's token_weights parses it (the expected values
// follow its rules by hand, odd inputs included), and the 77-token windows of its tokenize_with_weights.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clipTokenizerFromFiles, parseEmphasis, promptWindows, tokenizeForModel } from '../../src/text/index.js'
import { pythonFloat } from '../../src/text/prompt-weights.js'

const ASSETS = join(import.meta.dirname, '..', '..', 'public', 'models', 'hyper-shapes', 'tokenizer')
const tokenizer = clipTokenizerFromFiles(readFileSync(join(ASSETS, 'vocab.json'), 'utf8'), readFileSync(join(ASSETS, 'merges.txt'), 'utf8'))
const pairs = (prompt: string) => parseEmphasis(prompt).map(({ text, weight }) => [text, weight])

describe('emphasis (ComfyUI token_weights)', () => {
  it('weighs (words) 1.1 times, nested groups multiply, (words:w) sets the weight', () => {
    expect(pairs('a (red) cat')).toEqual([['a ', 1], ['red', 1.1], [' cat', 1]])
    expect(pairs('((big)) dog')).toEqual([['big', 1.1 * 1.1], [' dog', 1]])
    expect(pairs('a (red:1.5) cat')).toEqual([['a ', 1], ['red', 1.5], [' cat', 1]])
    // An explicit weight replaces the outer one: the inner group then multiplies it.
    expect(pairs('(a (b) c:0.5)')).toEqual([['a ', 0.5], ['b', 0.5 * 1.1], [' c', 0.5]])
    expect(pairs('(x: 2 )')).toEqual([['x', 2]])
    expect(pairs('(x:-1)')).toEqual([['x', -1]])
  })

  it('keeps the text of what does not parse, as ComfyUI does', () => {
    // Not a number after the last colon: the colon stays text, the group still weighs 1.1.
    expect(pairs('(time: 3pm)')).toEqual([['time: 3pm', 1.1]])
    // A colon first is not a weight (rfind > 0).
    expect(pairs('(:2)')).toEqual([[':2', 1.1]])
    // Unclosed: text, bracket included.
    expect(pairs('a (red cat')).toEqual([['a ', 1], ['(red cat', 1]])
    // A stray ")" at the top level joins its text, and the "(" after it then starts no group (depth -1 to 0).
    expect(pairs('a) b (c)')).toEqual([['a) b (c)', 1]])
    expect(pairs('()')).toEqual([])
  })

  it('reads \\( and \\) as literal brackets', () => {
    expect(pairs('a \\(red\\) cat')).toEqual([['a (red) cat', 1]])
    expect(pairs('(a \\(b\\):1.2)')).toEqual([['a (b)', 1.2]])
  })

  it("reads weights as Python's float() does", () => {
    expect(pythonFloat(' 1.25 ')).toBe(1.25)
    expect(pythonFloat('.5')).toBe(0.5)
    expect(pythonFloat('1.')).toBe(1)
    expect(pythonFloat('1e-1')).toBe(0.1)
    expect(pythonFloat('1_0')).toBe(10)
    expect(pythonFloat('-inf')).toBe(-Infinity)
    expect(pythonFloat('nan')).toBeNaN()
    for (const bad of ['', '1.2.3', '0x10', '1__0', 'abc', '1,5']) expect(pythonFloat(bad)).toBeUndefined()
  })
})

describe('77-token windows (ComfyUI tokenize_with_weights)', () => {
  it('gives a prompt of up to 75 tokens without brackets the ids diffusers gives it', () => {
    const prompt = 'a large green triangle in the top right on a yellow background'
    const windows = promptWindows(tokenizer, prompt, { padId: 49407 })
    expect(windows.ids).toHaveLength(1)
    expect(Array.from(windows.ids[0]!)).toEqual(Array.from(tokenizeForModel(tokenizer, prompt, { padId: 49407 }).ids))
    expect(windows.weighted).toBe(false)
    expect(promptWindows(tokenizer, '', { padId: 0 }).ids.map((w) => Array.from(w))).toEqual([Array.from(tokenizeForModel(tokenizer, '', { padId: 0 }).ids)])
  })

  it('starts a new window at a word that does not fit, padding the one it closes', () => {
    // "red" is one token: 75 of them fill a window exactly; the 76th starts the next.
    const prompt = Array(76).fill('red').join(' ')
    const red = tokenizer.encodeBody('red')[0]!
    const windows = promptWindows(tokenizer, prompt, { padId: 0 })
    expect(windows.ids).toHaveLength(2)
    expect(windows.tokenCount).toBe(76)
    expect(Array.from(windows.ids[0]!)).toEqual([tokenizer.bosId, ...Array(75).fill(red), tokenizer.eosId])
    expect(Array.from(windows.ids[1]!)).toEqual([tokenizer.bosId, red, tokenizer.eosId, ...Array(74).fill(0)])
    // A two-token word with one place left goes whole to the next window; the first is closed and padded.
    const two = tokenizer.encodeBody('triangles')
    expect(two.length).toBeGreaterThan(1)
    expect(two.length).toBeLessThan(8)
    const moved = promptWindows(tokenizer, `${Array(74).fill('red').join(' ')} triangles`, { padId: 0 })
    expect(Array.from(moved.ids[0]!.slice(74))).toEqual([red, tokenizer.eosId, 0])
    expect(Array.from(moved.ids[1]!.slice(0, two.length + 2))).toEqual([tokenizer.bosId, ...two, tokenizer.eosId])
  })

  it('splits a word of 8 tokens or more across windows, filling the first', () => {
    const long = 'x'.repeat(40)
    const tokens = tokenizer.encodeBody(long)
    expect(tokens.length).toBeGreaterThanOrEqual(8)
    const windows = promptWindows(tokenizer, `${Array(72).fill('red').join(' ')} ${long}`, { padId: 0 })
    expect(windows.ids).toHaveLength(2)
    expect(Array.from(windows.ids[0]!.slice(73))).toEqual([...tokens.slice(0, 3), tokenizer.eosId])
    expect(Array.from(windows.ids[1]!.slice(0, tokens.length - 3 + 2))).toEqual([tokenizer.bosId, ...tokens.slice(3), tokenizer.eosId])
  })

  it("carries each word's weight to its tokens, and 1 to BOS, EOS and padding", () => {
    const windows = promptWindows(tokenizer, 'a (large green:1.3) triangle', { padId: 49407 })
    const a = tokenizer.encodeBody('a').length
    const large = tokenizer.encodeBody('large').length + tokenizer.encodeBody('green').length
    expect(windows.weighted).toBe(true)
    const weights = Array.from(windows.weights[0]!)
    expect(weights.slice(0, 1 + a)).toEqual(Array(1 + a).fill(1))
    expect(weights.slice(1 + a, 1 + a + large)).toEqual(Array(large).fill(1.3))
    expect(weights.slice(1 + a + large).every((w) => w === 1)).toBe(true)
    // Brackets around nothing weigh no token.
    expect(promptWindows(tokenizer, 'a () triangle', { padId: 0 }).weighted).toBe(false)
  })
})
