// Node references in report lines, split out so the panels can link them to the canvas.
import { describe, expect, it } from 'vitest'
import { splitNodeRefs } from '../../src/ui/node-refs.js'

describe('splitNodeRefs', () => {
  it('finds each "node N (Type)" with its id, keeping the text between', () => {
    const line = 'node 9 (SaveImage) input "image": its source node 11 (ImageSharpen) has no equivalent; reconnect "image" to node 8 (VAEDecode) output "image", or remove node 11.'
    const parts = splitNodeRefs(line)
    expect(parts.map((p) => p.text).join('')).toBe(line)
    expect(parts.filter((p) => p.nodeId !== undefined).map((p) => [p.nodeId, p.text])).toEqual([
      ['9', 'node 9 (SaveImage)'],
      ['11', 'node 11 (ImageSharpen)'],
      ['8', 'node 8 (VAEDecode)'],
      ['11', 'node 11'],
    ])
  })

  it('leaves lines without references whole, and does not take look-alikes', () => {
    expect(splitNodeRefs('reroute 3: on no link, dropped')).toEqual([{ text: 'reroute 3: on no link, dropped' }])
    expect(splitNodeRefs('a node (TSCDSampler) and anode 4 (X), node 1.5')).toEqual([{ text: 'a node (TSCDSampler) and anode 4 (X), node 1.5' }])
    expect(splitNodeRefs('')).toEqual([])
  })
})
