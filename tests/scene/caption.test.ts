import { describe, expect, it } from 'vitest'
import { CaptionError, formatCaption, parseCaption, sceneDomain } from '../../src/scene/index.js'

describe('parseCaption', () => {
  it('reads a full caption of the grammar', () => {
    expect(parseCaption('a large red circle in the middle on a blue background')).toEqual({
      size: 'large',
      colour: 'red',
      shape: 'circle',
      position: 'in the middle',
      background: 'blue',
    })
  })

  it.each([
    ['a large red circle', { size: 'large', colour: 'red', shape: 'circle' }],
    ['a red circle', { colour: 'red', shape: 'circle' }],
    ['a circle in the top left', { shape: 'circle', position: 'in the top left' }],
    ['a green triangle on a black background', { colour: 'green', shape: 'triangle', background: 'black' }],
    ['a blue square on a white background', { colour: 'blue', shape: 'square', background: 'white' }],
    ['a small square at the bottom', { size: 'small', shape: 'square', position: 'at the bottom' }],
    ['a triangle on the left', { shape: 'triangle', position: 'on the left' }],
    ['on a purple background', { background: 'purple' }],
    ['a yellow circle on the right on a black background', { colour: 'yellow', shape: 'circle', position: 'on the right', background: 'black' }],
  ])('reads the partial caption "%s"', (text, spec) => {
    expect(parseCaption(text)).toEqual(spec)
  })

  it('is tolerant of case, spacing and a full stop', () => {
    expect(parseCaption('  A   Large RED circle\tin the Top Left.  ')).toEqual({ size: 'large', colour: 'red', shape: 'circle', position: 'in the top left' })
    expect(parseCaption('red circle')).toEqual({ colour: 'red', shape: 'circle' })
  })

  it.each([
    ['', /empty/],
    ['a', /did not understand "a"/],
    ['a red hexagon', /did not understand "hexagon" after "a red"/],
    ['a circle red', /did not understand "red" after "a circle"/],
    ['a red circle on a teal background', /did not understand "on a teal background" after "a red circle"/],
    ['a red circle in the corner', /did not understand "in the corner"/],
    ['a red circle on a red background', /both red/],
  ])('rejects "%s" naming what it did not understand', (text, message) => {
    expect(() => parseCaption(text)).toThrow(CaptionError)
    expect(() => parseCaption(text)).toThrow(message)
  })

  it('reads back every held-out caption', () => {
    for (const scene of sceneDomain().heldOut) expect(parseCaption(formatCaption(scene))).toEqual(scene)
  })
})
