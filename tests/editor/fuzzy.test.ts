// Node search ranking.
import { describe, expect, it } from 'vitest'
import { fuzzyScore, rankNodes } from '../../src/ui/fuzzy.js'
import { nodeDefinitions } from '../../nodes/index.js'

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

describe('rankNodes', () => {
  const top = (query: string): string | undefined => rankNodes(query, nodeDefinitions)[0]?.type

  it('puts the best name match first among the declared nodes', () => {
    expect(top('smplr')).toBe('TSCDSampler')
    expect(top('vae dec')).toBe('VAEDecode')
    expect(top('empty lat')).toBe('EmptyLatent')
  })

  it('finds a node by a word of its description when no name matches', () => {
    expect(fuzzyScore('prompt', 'CLIP Text Encode')).toBeNull()
    expect(top('prompt')).toBe('CLIPTextEncode')
    // Short queries match names only: two letters occur in almost every description.
    expect(rankNodes('pr', nodeDefinitions).every((d) => fuzzyScore('pr', d.displayName) !== null || fuzzyScore('pr', d.type) !== null || fuzzyScore('pr', `${d.category} ${d.displayName}`) !== null)).toBe(true)
  })
})
