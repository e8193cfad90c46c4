// The LAION aesthetic head on the real weights against torch (scripts/fixtures/reward-reference.py), its validation
// of keys and shapes, and the CLIP score helper.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeSafetensors, float32Bytes, type TensorToWrite } from '../../src/models/safetensors/writer.js'
import { AESTHETIC_WIDTHS, aestheticScore, aestheticScores, parseAestheticHead } from '../../src/reward/aesthetic.js'
import { clipScore, cosineSimilarity, l2Normalize } from '../../src/reward/vectors.js'
import { referenceEmbedding } from './embeddings.js'

const ROOT = join(import.meta.dirname, '..', '..')
const HEAD_FILE = join(ROOT, 'public', 'models', 'aesthetic', 'aesthetic-mlp-l14.safetensors')
const fixture = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'reward', 'aesthetic.json'), 'utf8')) as {
  cases: { kind: string; score: number; scoreFloat32: number }[]
}
const RELATIVE_TOLERANCE = 1e-4

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected)
}

/** A head file with the right keys; `shapeOf` may bend one tensor's shape. */
function headFile(shapeOf: (name: string, shape: number[]) => number[] = (_, s) => s, skip?: string): Uint8Array {
  const tensors: TensorToWrite[] = []
  ;[0, 2, 4, 6, 7].forEach((key, i) => {
    for (const part of ['weight', 'bias'] as const) {
      const name = `layers.${key}.${part}`
      if (name === skip) continue
      const shape = shapeOf(name, part === 'weight' ? [AESTHETIC_WIDTHS[i + 1]!, AESTHETIC_WIDTHS[i]!] : [AESTHETIC_WIDTHS[i + 1]!])
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01)
      tensors.push({ name, dtype: 'F32', shape, data: float32Bytes(values) })
    }
  })
  return encodeSafetensors(tensors)
}

describe('aesthetic head on the LAION weights', () => {
  const head = parseAestheticHead(new Uint8Array(readFileSync(HEAD_FILE)), 'aesthetic-mlp-l14.safetensors')

  it('reads five linear layers 768-1024-128-64-16-1', () => {
    expect(head.layers.map((l) => [l.name, l.inFeatures, l.outFeatures])).toEqual([
      ['layers.0', 768, 1024],
      ['layers.2', 1024, 128],
      ['layers.4', 128, 64],
      ['layers.6', 64, 16],
      ['layers.7', 16, 1],
    ])
  })

  for (const c of fixture.cases) {
    it(`matches torch on the "${c.kind}" embedding within ${RELATIVE_TOLERANCE} relative`, () => {
      const score = aestheticScore(head, referenceEmbedding(c.kind))
      expect(relativeError(score, c.score)).toBeLessThan(RELATIVE_TOLERANCE)
      expect(relativeError(score, c.scoreFloat32)).toBeLessThan(RELATIVE_TOLERANCE)
    })
  }

  it('normalises the embedding first: scaling it leaves the score unchanged', () => {
    const e = referenceEmbedding('sin')
    // Float32 rounding of the scaled copy moves the score by ~1e-8.
    expect(aestheticScore(head, e.map((v) => v * 37))).toBeCloseTo(aestheticScore(head, e), 6)
  })

  it('scores a batch row by row', () => {
    const kinds = fixture.cases.map((c) => c.kind)
    const batch = new Float32Array(768 * kinds.length)
    kinds.forEach((k, i) => batch.set(referenceEmbedding(k), i * 768))
    const scores = aestheticScores(head, batch, kinds.length)
    scores.forEach((s, i) => expect(relativeError(s, fixture.cases[i]!.score)).toBeLessThan(RELATIVE_TOLERANCE))
  })

  it('refuses embeddings of the wrong size or zero norm', () => {
    expect(() => aestheticScore(head, new Float32Array(512).fill(1))).toThrow(/768-dim CLIP image embedding, got 512/)
    expect(() => aestheticScore(head, new Float32Array(768))).toThrow(/norm 0/)
  })
})

describe('aesthetic head validation', () => {
  it('accepts a well-formed file', () => {
    expect(parseAestheticHead(headFile(), 'ok.safetensors').layers).toHaveLength(5)
  })

  it('names the file and tensor of a wrong shape', () => {
    const bytes = headFile((name, shape) => (name === 'layers.4.weight' ? [64, 127] : shape))
    expect(() => parseAestheticHead(bytes, 'bad.safetensors')).toThrow('bad.safetensors: tensor "layers.4.weight" has shape [64, 127], expected [64, 128]')
  })

  it('names a missing tensor', () => {
    expect(() => parseAestheticHead(headFile(undefined, 'layers.7.bias'), 'short.safetensors')).toThrow(
      'short.safetensors: missing tensor "layers.7.bias" (expected shape [1])',
    )
  })

  it('names the file when it is not safetensors at all', () => {
    expect(() => parseAestheticHead(new TextEncoder().encode('not a model'), 'junk.bin')).toThrow(/^junk\.bin: /)
  })
})

describe('CLIP score', () => {
  it('is 100 x cosine similarity, clipped at 0', () => {
    expect(clipScore([1, 0, 0], [1, 0, 0])).toBeCloseTo(100, 12)
    expect(clipScore([1, 1, 0], [1, 0, 0])).toBeCloseTo(100 / Math.SQRT2, 12)
    expect(clipScore([3, 4], [4, 3])).toBeCloseTo(96, 12)
    expect(clipScore([1, 0], [-1, 0.5])).toBe(0)
    expect(clipScore([2, 0, 0], [0, 5, 0])).toBeCloseTo(0, 12)
  })

  it('does not depend on vector lengths', () => {
    const a = referenceEmbedding('sin')
    const b = referenceEmbedding('mixed')
    expect(clipScore(a.map((v) => v * 5), b)).toBeCloseTo(clipScore(a, b), 9)
    expect(cosineSimilarity(a, b)).toBeCloseTo(cosineSimilarity(b, a), 12)
  })

  it('refuses vectors of different lengths', () => {
    expect(() => clipScore([1, 2], [1, 2, 3])).toThrow(/lengths 2 and 3/)
  })

  it('l2-normalises to unit length', () => {
    const n = l2Normalize([3, 4])
    expect([...n]).toEqual([0.6, 0.8])
  })
})
