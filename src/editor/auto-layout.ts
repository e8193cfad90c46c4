// Left-to-right layered layout for graphs that carry no positions (CLI-written files, ComfyUI API prompts) and for
// the Arrange command. Pure geometry on boxes and links: no litegraph, so it is tested on its own.

export interface LayoutBox {
  readonly id: string
  /** The node's whole box, title bar included. */
  readonly width: number
  readonly height: number
}

export interface LayoutOptions {
  /** Top-left corner of the laid-out block. */
  readonly origin?: readonly [number, number]
  /** Space between columns and between nodes in a column. */
  readonly gapX?: number
  readonly gapY?: number
}

/**
 * Top-left corners for `boxes`: each node one column right of the furthest node feeding it, so links run left to
 * right; nodes that only feed others sit in the column before their first consumer; unlinked nodes (notes) head the
 * first column. A column is ordered by where its inputs come from, and each node is lowered to meet them, so links
 * stay short and rarely cross. Boxes never overlap. Links that close a cycle are ignored.
 */
export function layeredLayout(boxes: readonly LayoutBox[], links: readonly (readonly [string, string])[], options: LayoutOptions = {}): Map<string, [number, number]> {
  const [originX, originY] = options.origin ?? [0, 0]
  const gapX = options.gapX ?? 80
  const gapY = options.gapY ?? 40
  const known = new Map(boxes.map((b, index) => [b.id, { box: b, index }]))
  const preds = new Map<string, Set<string>>(boxes.map((b) => [b.id, new Set()]))
  const succs = new Map<string, Set<string>>(boxes.map((b) => [b.id, new Set()]))
  for (const [from, to] of links) {
    if (from === to || !known.has(from) || !known.has(to)) continue
    preds.get(to)!.add(from)
    succs.get(from)!.add(to)
  }
  const rank = ranks(boxes, preds, succs)
  const columns: string[][] = []
  for (const b of boxes) (columns[rank.get(b.id)!] ??= []).push(b.id)
  const filled = columns.filter((c) => c !== undefined)
  orderColumns(filled, preds, succs, (id) => known.get(id)!.index)

  const positions = new Map<string, [number, number]>()
  let x = originX
  for (const column of filled) {
    let bottom = originY - gapY
    for (const id of column) {
      const box = known.get(id)!.box
      const feeding = [...preds.get(id)!].map((p) => positions.get(p)?.[1]).filter((y): y is number => y !== undefined)
      const wanted = feeding.length > 0 ? feeding.reduce((s, y) => s + y, 0) / feeding.length : originY
      const top = Math.max(wanted, bottom + gapY)
      positions.set(id, [x, top])
      bottom = top + box.height
    }
    x += Math.max(...column.map((id) => known.get(id)!.box.width)) + gapX
  }
  return positions
}

/** Column of each node: longest path from a source, sources then pulled right next to their first consumer. */
function ranks(boxes: readonly LayoutBox[], preds: ReadonlyMap<string, Set<string>>, succs: ReadonlyMap<string, Set<string>>): Map<string, number> {
  const rank = new Map<string, number>()
  const waiting = new Map(boxes.map((b) => [b.id, preds.get(b.id)!.size]))
  const ready = boxes.filter((b) => waiting.get(b.id) === 0).map((b) => b.id)
  // Kahn's order; a node on a cycle never becomes ready and is released with the ranks it has seen so far.
  for (let done = 0; done < boxes.length; done++) {
    const next = ready.shift() ?? boxes.find((b) => !rank.has(b.id) && !ready.includes(b.id))!.id
    const seen = [...preds.get(next)!].map((p) => rank.get(p)).filter((r): r is number => r !== undefined)
    rank.set(next, seen.length > 0 ? Math.max(...seen) + 1 : 0)
    for (const s of succs.get(next)!) {
      const left = waiting.get(s)! - 1
      waiting.set(s, left)
      if (left === 0 && !rank.has(s)) ready.push(s)
    }
  }
  for (const b of boxes) {
    const consumers = [...succs.get(b.id)!]
    if (preds.get(b.id)!.size > 0 || consumers.length === 0) continue
    rank.set(b.id, Math.max(0, Math.min(...consumers.map((s) => rank.get(s)!)) - 1))
  }
  return rank
}

/** Orders each column by the mean place of its neighbours in the column before (then after); unlinked nodes first. */
function orderColumns(columns: string[][], preds: ReadonlyMap<string, Set<string>>, succs: ReadonlyMap<string, Set<string>>, fileIndex: (id: string) => number): void {
  const place = new Map<string, number>()
  const remember = (column: readonly string[]) => column.forEach((id, i) => place.set(id, i))
  const isolated = (id: string) => preds.get(id)!.size === 0 && succs.get(id)!.size === 0
  for (const column of columns) column.sort((a, b) => fileIndex(a) - fileIndex(b))
  columns[0]!.sort((a, b) => Number(!isolated(a)) - Number(!isolated(b)) || fileIndex(a) - fileIndex(b))
  columns.forEach(remember)
  const sweep = (column: string[], neighbours: ReadonlyMap<string, Set<string>>) => {
    const centre = (id: string) => {
      const at = [...neighbours.get(id)!].map((n) => place.get(n)!)
      return at.length > 0 ? at.reduce((s, v) => s + v, 0) / at.length : place.get(id)!
    }
    const keys = new Map(column.map((id) => [id, isolated(id) ? -Infinity : centre(id)]))
    column.sort((a, b) => keys.get(a)! - keys.get(b)! || place.get(a)! - place.get(b)!)
    remember(column)
  }
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 1; c < columns.length; c++) sweep(columns[c]!, preds)
    for (let c = columns.length - 2; c >= 0; c--) sweep(columns[c]!, succs)
  }
}
