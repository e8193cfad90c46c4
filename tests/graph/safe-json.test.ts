import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringifyJson } from '../../src/graph/stringify.js'
import { HOSTILE_KEYS, HostileKeyError, JsonSyntaxError, formatPath, parseJsonSafely } from '../../src/graph/safe-json.js'

// Keys that the reader refuses on purpose; everything else must behave exactly like JSON.parse.
const safeKey = fc.string().filter((k) => !HOSTILE_KEYS.has(k))
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(safeKey, tie('value'), { maxKeys: 5 }),
  ),
})).value

describe('parseJsonSafely', () => {
  it('agrees with JSON.parse on any JSON text without hostile keys (compact and indented)', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
          expect(parseJsonSafely(text)).toEqual(JSON.parse(text))
        }
      }),
      { numRuns: 300, seed: 20261125 },
    )
  })

  it('fails exactly where JSON.parse fails on mangled text', () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(), fc.constantFrom('', '}', ']', ',', '"', ':', '\\', 'x', '\u0001', ' '), (value, at, insert) => {
        const text = JSON.stringify(value)
        const cut = at % (text.length + 1)
        const mangled = text.slice(0, cut) + insert + text.slice(cut + (insert === '' ? 1 : 0))
        let native: unknown
        let nativeFailed = false
        try {
          native = JSON.parse(mangled)
        } catch {
          nativeFailed = true
        }
        let ours: unknown
        let oursFailed = false
        try {
          ours = parseJsonSafely(mangled)
        } catch (error) {
          // Deliberate differences: mangling can create a duplicate key, or an exponent that overflows to
          // Infinity (JSON.parse returns Infinity, which JSON cannot write back); we refuse both.
          if (error instanceof JsonSyntaxError && /^(duplicate key|number .* is out of range)/.test(error.detail)) return
          expect(error).toBeInstanceOf(JsonSyntaxError)
          oursFailed = true
        }
        expect(oursFailed).toBe(nativeFailed)
        if (!nativeFailed) expect(ours).toEqual(native)
      }),
      { numRuns: 500, seed: 20261125 },
    )
  })

  it('refuses hostile keys however they are spelled', () => {
    for (const text of ['{"__proto__": 1}', '{"\\u005f\\u005fproto\\u005f\\u005f": 1}', '{"a": {"constructor": {}}}', '[{"prototype": 0}]']) {
      expect(() => parseJsonSafely(text)).toThrow(HostileKeyError)
    }
  })

  it('skips a byte order mark and counts lines and columns from 1', () => {
    expect(parseJsonSafely('\ufeff{"a": [1, 2]}')).toEqual({ a: [1, 2] })
    expect(() => parseJsonSafely('{\r\n  "a": 01\r\n}')).toThrow(`expected ',' or '}' in object, found '1' at line 2:9`)
    expect(() => parseJsonSafely('{"a": 1e999}')).toThrow('number 1e999 is out of range at line 1:7')
    expect(() => parseJsonSafely('"\\q"')).toThrow('invalid escape "\\q" at line 1:2')
  })

  it('formats paths for people', () => {
    expect(formatPath(['nodes', 2, 'inputs', '__proto__'])).toBe('nodes[2].inputs.__proto__')
    expect(formatPath(['layout', 'nodes', '12', 'pos'])).toBe('layout.nodes["12"].pos')
    expect(formatPath([])).toBe('(root)')
  })
})

describe('stringifyJson', () => {
  it('writes text that reads back to the same value, indented 2 spaces', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = stringifyJson(value)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
        for (const line of text.split('\n')) expect(line.match(/^ */)![0].length % 2).toBe(0)
      }),
      { numRuns: 300, seed: 20261125 },
    )
  })

  it('keeps short flat arrays and objects on one line', () => {
    expect(stringifyJson({ a: [1, 2], b: { from: ['1', 'clip'] }, c: { d: { e: 1 } } })).toBe(
      '{\n  "a": [1, 2],\n  "b": { "from": ["1", "clip"] },\n  "c": {\n    "d": { "e": 1 }\n  }\n}',
    )
  })
})
