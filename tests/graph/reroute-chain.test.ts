// The one walk along a link's reroutes (src/graph/reroute-chain.ts).
import { describe, expect, it } from 'vitest'
import { rerouteChain } from '../../src/graph/reroute-chain.js'

const table = (entries: Record<number, number | undefined>) => (id: number) => (Object.hasOwn(entries, id) ? { parent: entries[id] } : undefined)

describe('rerouteChain', () => {
  it('walks from the last reroute back to the first after the output', () => {
    expect(rerouteChain(3, table({ 1: undefined, 2: 1, 3: 2 }))).toEqual([3, 2, 1])
  })

  it('stops at an unknown reroute and at a loop of parents', () => {
    expect(rerouteChain(3, table({ 3: 9 }))).toEqual([3])
    expect(rerouteChain(1, table({ 1: 2, 2: 1 }))).toEqual([1, 2])
    expect(rerouteChain(7, table({}))).toEqual([])
    expect(rerouteChain(undefined, table({ 1: undefined }))).toEqual([])
  })
})
