// The analytic measurement against scenes drawn by an independent renderer (tests/scene/render.ts), clean and
// degraded the way a few-step model's output is: blurred edges, pixel noise, a colour drift.
import { describe, expect, it } from 'vitest'
import { formatCaption, measureScene, sceneDomain, scoreScene, type Scene } from '../../src/scene/index.js'
import { renderScene, type Degrade } from './render.js'

const domain = sceneDomain()
const PAIRS: readonly [string, string][] = [
  ['orange', 'yellow'], // the closest pair in the palette
  ['yellow', 'orange'],
  ['red', 'orange'],
  ['purple', 'blue'],
  ['black', 'green'],
  ['white', 'black'],
]

const DEGRADES: Record<string, Degrade> = {
  clean: {},
  blurred: { blur: 1.2 },
  'blurred + noise': { blur: 1, noise: 10 },
  'blurred + drift': { blur: 0.8, noise: 4, drift: [12, -10, 8] },
  'heavily blurred + noise': { blur: 1.8, noise: 8 },
}

function scenes(): Scene[] {
  const out: Scene[] = []
  for (const shape of domain.shapes) for (const size of domain.sizes.keys()) for (const position of domain.positions.keys()) {
    for (const [colour, background] of PAIRS) out.push({ shape, size, position, colour, background })
  }
  return out
}

function mismatches(scene: Scene, seed: number, degrade: Degrade): string | null {
  const m = measureScene({ width: domain.imageSize, height: domain.imageSize, data: renderScene(scene, seed, domain.imageSize, degrade) })
  const got = m.object ? { ...m.object, background: m.background } : { background: m.background }
  const wrong = (['colour', 'background', 'shape', 'size', 'position'] as const).filter((a) => (got as Partial<Scene>)[a] !== scene[a])
  return wrong.length === 0 ? null : `seed ${seed} "${formatCaption(scene)}": ${wrong.map((a) => `${a} ${(got as Partial<Scene>)[a] ?? 'none'}`).join(', ')}`
}

describe('measureScene recovers the rendered scene', () => {
  it.each(Object.entries(DEGRADES))('every shape x size x position x colour pair, %s', (_, degrade) => {
    const failures = scenes()
      .map((scene, i) => mismatches(scene, 1000 + i, degrade))
      .filter((f) => f !== null)
    expect(failures).toEqual([])
  })

  it('every held-out scene at several seeds, blurred and noisy', () => {
    const failures = domain.heldOut.flatMap((scene, i) => [1, 2, 3].map((s) => mismatches(scene, i * 10 + s, { blur: 1, noise: 8 }))).filter((f) => f !== null)
    expect(failures).toEqual([])
  })

  it('reads a 256x256 render (images larger than the domain) as well', () => {
    const scene: Scene = { shape: 'triangle', size: 'small', position: 'in the top right', colour: 'green', background: 'white' }
    const m = measureScene({ width: 256, height: 256, data: renderScene(scene, 5, 256, { blur: 3 }) })
    expect(m.object).toMatchObject({ shape: 'triangle', size: 'small', position: 'in the top right', colour: 'green' })
  })

  it('finds no object on a plain noisy background, and still names the background', () => {
    const data = new Uint8ClampedArray(64 * 64 * 4)
    for (let p = 0; p < 64 * 64; p++) data.set([40 + (p % 7), 90 - (p % 5), 220, 255], p * 4)
    const m = measureScene({ width: 64, height: 64, data })
    expect(m.background).toBe('blue')
    expect(m.object).toBeNull()
  })

  it('gives the measured geometry for display', () => {
    const scene: Scene = { shape: 'square', size: 'large', position: 'in the middle', colour: 'red', background: 'white' }
    const m = measureScene({ width: 64, height: 64, data: renderScene(scene, 3) })
    const [, , w, h] = m.object!.box
    expect(w).toBeGreaterThan(0.4)
    expect(h).toBeCloseTo(w, 1)
    expect(m.object!.features.fill).toBeGreaterThan(0.9)
  })

  it('rejects buffers that do not match their size', () => {
    expect(() => measureScene({ width: 64, height: 64, data: new Uint8ClampedArray(10) })).toThrow(/expected 16384/)
  })
})

describe('scoreScene', () => {
  const scene: Scene = { shape: 'circle', size: 'large', position: 'on the right', colour: 'orange', background: 'black' }
  const image = { width: 64, height: 64, data: renderScene(scene, 9, 64, { blur: 1 }) }

  it('scores every attribute of a full caption', () => {
    const s = scoreScene(formatCaption(scene), image)
    expect(s.results.map((r) => [r.attribute, r.right])).toEqual([
      ['size', true],
      ['colour', true],
      ['shape', true],
      ['position', true],
      ['background', true],
    ])
    expect(s.allRight).toBe(true)
    expect(s.score).toBe(1)
  })

  it('scores only what a partial caption names', () => {
    const s = scoreScene('a red circle', image)
    expect(s.results).toEqual([
      { attribute: 'colour', expected: 'red', measured: 'orange', right: false },
      { attribute: 'shape', expected: 'circle', measured: 'circle', right: true },
    ])
    expect(s.allRight).toBe(false)
    expect(s.score).toBe(0.5)
    expect(scoreScene('a small square in the top left on a black background', image).score).toBeCloseTo(1 / 4)
  })

  it('counts the object attributes wrong when there is no object', () => {
    const blank = new Uint8ClampedArray(64 * 64 * 4).fill(255)
    const s = scoreScene('a red circle on a white background', { width: 64, height: 64, data: blank })
    expect(s.results.map((r) => [r.attribute, r.measured, r.right])).toEqual([
      ['colour', null, false],
      ['shape', null, false],
      ['background', 'white', true],
    ])
  })
})
