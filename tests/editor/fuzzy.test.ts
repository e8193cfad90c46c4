// Node search ranking.
import { describe, expect, it } from 'vitest'
import { fuzzyScore } from '../../src/ui/fuzzy.js'

function rank(query: string, names: string[]): string[] {
  return names
    .map((n) => ({ n, s: fuzzyScore(query, n) }))
    .filter((x): x is { n: string; s: number } => x.s !== null)
    .sort((a, b) => b.s - a.s)
    .map((x) => x.n)
}

describe('fuzzyScore', () => {
  it('matches characters in order, across word boundaries', () => {
    expect(fuzzyScore('vae dec', 'VAE Decode')).not.toBeNull()
    expect(fuzzyScore('prvw', 'Preview Image')).not.toBeNull()
    expect(fuzzyScore('xyz', 'Preview Image')).toBeNull()
    expect(fuzzyScore('edoc', 'Decode')).toBeNull()
  })

  it('ranks word-start and contiguous matches first', () => {
    const names = ['Empty Latent', 'CLIP Text Encode', 'TSCD Sampler', 'Save Image', 'Preview Image']
    expect(rank('sam', names)[0]).toBe('TSCD Sampler')
    expect(rank('img', names).slice(0, 2).sort()).toEqual(['Preview Image', 'Save Image'])
    expect(rank('lat', names)[0]).toBe('Empty Latent')
    expect(rank('', names)).toHaveLength(names.length)
  })
})
