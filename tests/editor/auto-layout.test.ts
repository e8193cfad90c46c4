// The layered layout given to graphs without positions (CLI-written files, ComfyUI API prompts) and used by Arrange.
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { layeredLayout, type LayoutBox } from '../../src/editor/auto-layout.js'

type Link = readonly [string, string]

const box = (id: string, width = 200, height = 100): LayoutBox => ({ id, width, height })

function overlaps(boxes: readonly LayoutBox[], at: Map<string, [number, number]>): string[] {
  const found: string[] = []
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) {
      const [ax, ay] = at.get(a.id)!
      const [bx, by] = at.get(b.id)!
      if (ax < bx + b.width && bx < ax + a.width && ay < by + b.height && by < ay + a.height) found.push(`${a.id}/${b.id}`)
    }
  })
  return found
}

/** Links whose source box does not end left of where the target box starts. */
function backwardLinks(boxes: readonly LayoutBox[], links: readonly Link[], at: Map<string, [number, number]>): string[] {
  const width = new Map(boxes.map((b) => [b.id, b.width]))
  return links.filter(([from, to]) => at.get(from)![0] + width.get(from)! >= at.get(to)![0]).map(([from, to]) => `${from}->${to}`)
}

// The default Hyper-SD graph's shape: loader, LoRA, two prompts, empty latent, sampler, decode, save, and a note.
const DEFAULT_BOXES = [box('note', 300, 200), box('load', 220, 120), box('lora', 240, 110), box('pos'), box('neg'), box('latent', 200, 90), box('sampler', 220, 300), box('decode'), box('save', 260, 330)]
const DEFAULT_LINKS: Link[] = [
  ['load', 'lora'], ['load', 'lora'], ['lora', 'pos'], ['lora', 'neg'], ['lora', 'sampler'], ['pos', 'sampler'], ['neg', 'sampler'],
  ['latent', 'sampler'], ['sampler', 'decode'], ['load', 'decode'], ['decode', 'save'],
]

describe('layeredLayout', () => {
  it('puts each node right of every node feeding it, with no boxes overlapping', () => {
    const at = layeredLayout(DEFAULT_BOXES, DEFAULT_LINKS, { origin: [40, 40] })
    expect(at.size).toBe(DEFAULT_BOXES.length)
    expect(overlaps(DEFAULT_BOXES, at)).toEqual([])
    expect(backwardLinks(DEFAULT_BOXES, DEFAULT_LINKS, at)).toEqual([])
    const x = (id: string) => at.get(id)![0]
    // Columns: load | lora | prompts, latent | sampler | decode | save.
    expect(x('load')).toBe(40)
    expect(x('lora')).toBe(40 + 300 + 80) // the first column is as wide as its widest box, the note
    expect(x('pos')).toBe(x('neg'))
    expect(x('save')).toBeGreaterThan(x('decode'))
  })

  it('places a node that only feeds others in the column before its first consumer, not the first column', () => {
    const at = layeredLayout(DEFAULT_BOXES, DEFAULT_LINKS)
    expect(at.get('latent')![0]).toBe(at.get('pos')![0])
  })

  it('puts an unlinked node (a note) at the top of the first column, above the nodes there', () => {
    const at = layeredLayout(DEFAULT_BOXES, DEFAULT_LINKS, { origin: [40, 40] })
    expect(at.get('note')).toEqual([40, 40])
    expect(at.get('load')![1]).toBeGreaterThanOrEqual(40 + 200 + 40)
  })

  it('lowers a node to the mean height of what feeds it, so links run level where they can', () => {
    const boxes = [box('a'), box('b'), box('c')]
    const at = layeredLayout(boxes, [['a', 'c'], ['b', 'c']], { gapY: 40 })
    expect(at.get('b')![1]).toBe(140)
    expect(at.get('c')![1]).toBe(70)
  })

  it('orders a column by where its inputs come from, so two chains do not cross', () => {
    // a1 -> a2 and b1 -> b2, with b2 listed first in the file.
    const boxes = [box('b2'), box('a1'), box('b1'), box('a2')]
    const at = layeredLayout(boxes, [['a1', 'a2'], ['b1', 'b2']])
    const y = (id: string) => at.get(id)![1]
    expect(Math.sign(y('a2') - y('b2'))).toBe(Math.sign(y('a1') - y('b1')))
  })

  it('terminates on a cycle and still places every node apart', () => {
    const boxes = [box('a'), box('b'), box('c'), box('d')]
    const at = layeredLayout(boxes, [['a', 'b'], ['b', 'c'], ['c', 'b'], ['c', 'd']])
    expect(at.size).toBe(4)
    expect(overlaps(boxes, at)).toEqual([])
    expect(at.get('d')![0]).toBeGreaterThan(at.get('a')![0])
  })

  it('ignores links to nodes it was not given and self-links', () => {
    const at = layeredLayout([box('a'), box('b')], [['x', 'a'], ['a', 'a'], ['a', 'b']])
    expect(at.get('a')![0]).toBe(0)
    expect(at.get('b')![0]).toBe(280)
  })

  it('lays out every shipped graph with its links running left to right and no overlaps', () => {
    const dir = resolve(import.meta.dirname, '../../graphs')
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const file = JSON.parse(readFileSync(resolve(dir, name), 'utf8')) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
      const boxes = file.nodes.map((n, i) => box(n.id, 180 + (i % 3) * 40, 80 + (i % 4) * 90))
      const links = file.nodes.flatMap((n) => Object.values(n.inputs).flatMap((v) => (v && typeof v === 'object' && 'from' in v ? [[(v as { from: [string, string] }).from[0], n.id] as const] : [])))
      const at = layeredLayout(boxes, links)
      expect(overlaps(boxes, at), name).toEqual([])
      expect(backwardLinks(boxes, links, at), name).toEqual([])
    }
  })

  it('lays out a 1,000-node chain (the editor’s node limit) as 1,000 columns', () => {
    const boxes = Array.from({ length: 1000 }, (_, i) => box(String(i)))
    const links = boxes.slice(1).map((b, i): Link => [String(i), b.id])
    const at = layeredLayout(boxes, links)
    expect(at.get('999')![0]).toBe(999 * 280)
  })
})
