// The cells of a sweep: every (x value, y value, seed) combination as its own graph, keyed by a hash of what
// the engine would run, so the same cell is computed and stored once however often it is asked for.
import { canonicalJson } from '../engine/index.js'
import type { GraphFile } from '../graph/schema.js'
import { Sha256 } from '../hub/sha256.js'
import { seedInputs, type AxisValue, type SweepDeclarations, type SweepDefinition } from './definition.js'

export interface SweepCell {
  /** Position in reading order of the grid: rows (y value, then seed) top to bottom, x values left to right. */
  readonly index: number
  readonly column: number
  readonly row: number
  /** Index into each axis's values (x first). */
  readonly valueIndexes: readonly number[]
  readonly values: readonly AxisValue[]
  readonly seedIndex: number
  /** The seed the graph's first seed input got (undefined when the graph has none). */
  readonly seed: number | undefined
  /** The graph with the cell's values and seed applied. */
  readonly graph: GraphFile
  readonly key: string
}

const KEY_VERSION = 'hyper-sd-studio/sweep-cell/1'

/**
 * The cell's identity: node ids, types, versions, inputs and modes, in id order. Titles, layout and metadata do not
 * change what is computed, so they are left out. Models are named as the graph names them; a host that maps names
 * to other files (the CLI's --model) passes that mapping as `context`, so those cells get keys of their own.
 */
export function cellKey(graph: GraphFile, context?: string): string {
  const nodes = [...graph.nodes]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => ({ id: n.id, type: n.type, version: n.version, inputs: n.inputs, ...(n.mode !== undefined ? { mode: n.mode } : {}) }))
  const hasher = new Sha256()
  hasher.update(new TextEncoder().encode(canonicalJson({ key: KEY_VERSION, nodes, ...(context ? { context } : {}) })))
  return hasher.hex().slice(0, 32)
}

function withInputs(graph: GraphFile, changes: readonly { node: string; input: string; value: AxisValue }[]): GraphFile {
  if (changes.length === 0) return graph
  return {
    ...graph,
    nodes: graph.nodes.map((node) => {
      const mine = changes.filter((c) => c.node === node.id)
      if (mine.length === 0) return node
      return { ...node, inputs: { ...node.inputs, ...Object.fromEntries(mine.map((c) => [c.input, c.value])) } }
    }),
  }
}

export function sweepShape(definition: SweepDefinition): { columns: number; valueRows: number; rows: number; total: number } {
  const columns = definition.axes[0]?.values.length ?? 1
  const valueRows = definition.axes[1]?.values.length ?? 1
  const rows = valueRows * definition.seeds
  return { columns, valueRows, rows, total: columns * rows }
}

/** Every cell in grid reading order. Seed repeat n adds n to every unlinked seed input (unless an axis sets it). */
export function sweepCells(definition: SweepDefinition, registry: SweepDeclarations, keyContext?: string): SweepCell[] {
  const [xAxis, yAxis] = definition.axes
  const seeds = seedInputs(definition.graph, registry)
  const { columns, valueRows } = sweepShape(definition)
  const cells: SweepCell[] = []
  for (let y = 0; y < valueRows; y++) {
    for (let s = 0; s < definition.seeds; s++) {
      for (let x = 0; x < columns; x++) {
        const valueIndexes = [x, y].slice(0, definition.axes.length)
        const values = definition.axes.map((axis, a) => axis.values[valueIndexes[a]!]!)
        const seedChanges = s === 0 ? [] : seeds.map((seed) => ({ node: seed.node, input: seed.input, value: seed.base + s }))
        const axisChanges = [xAxis, yAxis].flatMap((axis, a) => (axis ? [{ node: axis.node, input: axis.input, value: values[a]! }] : []))
        // Axis values win over seed repeats (a sweep over the seed itself).
        const graph = withInputs(definition.graph, [...seedChanges, ...axisChanges])
        const firstSeed = seeds[0]
        const seedNode = firstSeed ? graph.nodes.find((n) => n.id === firstSeed.node) : undefined
        const seedValue = seedNode?.inputs[firstSeed!.input]
        cells.push({
          index: cells.length,
          column: x,
          row: y * definition.seeds + s,
          valueIndexes,
          values,
          seedIndex: s,
          seed: typeof seedValue === 'number' ? seedValue : firstSeed?.base,
          graph,
          key: cellKey(graph, keyContext),
        })
      }
    }
  }
  return cells
}
