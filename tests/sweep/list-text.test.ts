import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatList, splitList } from '../../src/sweep/list-text.js'
import { parseVarySpec } from '../../src/sweep/values.js'

describe('list values as text', () => {
  it('keeps commas and quotes inside double-quoted values, as CSV does', () => {
    expect(splitList('1, 2,4')).toEqual(['1', '2', '4'])
    expect(splitList('"a red, round circle", a blue square,"say ""hi"""')).toEqual(['a red, round circle', 'a blue square', 'say "hi"'])
    expect(parseVarySpec('Prompt.text="a red, round circle","a blue square"').source).toEqual({ kind: 'list', items: ['a red, round circle', 'a blue square'] })
  })

  it('names what is wrong with a broken quote', () => {
    expect(() => parseVarySpec('Prompt.text="a red, round circle')).toThrow('--vary Prompt.text="a red, round circle: a quoted value has no closing quote')
    expect(() => parseVarySpec('Prompt.text="a" b')).toThrow('unexpected text after a quoted value: b')
  })

  it('reads back any list it writes (the editor form shows a definition read from a grid PNG this way)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 6 }), (values) => {
        expect(splitList(formatList(values))).toEqual(values.map(String))
      }),
    )
    // A lone value that reads as a range or a file stays a list.
    expect(parseVarySpec(`Prompt.text=${formatList(['0:1:0.5'])}`).source).toEqual({ kind: 'list', items: ['0:1:0.5'] })
    expect(parseVarySpec(`Prompt.text=${formatList(['@prompts.txt'])}`).source).toEqual({ kind: 'list', items: ['@prompts.txt'] })
  })
})
