// One cell through the engine: its graph runs on the caller's Engine (whose cache spans the sweep, so unchanged
// nodes such as the text encoder are served from it), and what the sweep keeps comes back: the image as PNG with
// the cell's graph embedded, the output nodes' numbers (reward scores) and the time per image.
import type { Engine, RunOptions, RunResult } from '../engine/index.js'
import { isLink, type ExecGraph } from '../engine/index.js'
import { GRAPH_KEYWORD, encodePng } from '../graph/png.js'
import { toExecGraph } from '../graph/exec.js'
import { serializeGraphFile } from '../graph/parse.js'
import { parametersText } from '../../nodes/image.js'
import type { ImageBatch } from '../../nodes/types.js'
import type { SweepCell } from './cells.js'

export interface CellResult {
  readonly key: string
  /** The cell's first image, with its graph and parameters embedded (opens its graph when dropped on the editor). */
  readonly png: Uint8Array
  readonly width: number
  readonly height: number
  /** Number outputs of the output nodes, by "Title.output" (e.g. "Scene Score.score", "Scene Score.colour"). */
  readonly scores: Readonly<Record<string, number>>
  /** Text outputs of the output nodes (e.g. SceneScore's per-attribute report), by "Title.output". */
  readonly notes: Readonly<Record<string, string>>
  /** Wall time of the cell's run (cached nodes cost nothing), and that time divided by the images in the batch. */
  readonly ms: number
  readonly msPerImage: number
  /** Node ids that executed rather than came from the engine's cache. */
  readonly nodesRun: readonly string[]
}

export class SweepRunError extends Error {
  override readonly name = 'SweepRunError'
}

/** The engine a sweep runs on; the host's (CLI, worker) with its services already bound. */
export type SweepEngine = Pick<Engine, 'run' | 'registry'>

/** Where the cell's picture comes from: what its Save Image node saves, else a Preview Image's, else any output node's image input. */
export function imageSource(graph: ExecGraph, engine: SweepEngine): readonly [string, string] {
  const outputs = graph.nodes.filter((n) => n.mode === undefined && engine.registry.get(n.type)?.isOutput)
  const rank = (type: string) => (type === 'SaveImage' ? 0 : type === 'PreviewImage' ? 1 : 2)
  for (const node of [...outputs].sort((a, b) => rank(a.type) - rank(b.type))) {
    const binding = Object.hasOwn(node.inputs, 'image') ? node.inputs.image : undefined
    if (isLink(binding)) return binding.from
  }
  throw new SweepRunError('the graph has no active Save Image, Preview Image or other output node with an image input: a sweep needs one picture per cell')
}

function isImageBatch(value: unknown): value is ImageBatch {
  return typeof value === 'object' && value !== null && Array.isArray((value as ImageBatch).images) && typeof (value as ImageBatch).width === 'number'
}

/** "Title.output" per output node, with "#id" added where two output nodes share a title. */
function outputLabels(graph: SweepCell['graph'], engine: SweepEngine): Map<string, string> {
  const outputs = graph.nodes.filter((n) => engine.registry.get(n.type)?.isOutput)
  const names = outputs.map((n) => n.title ?? engine.registry.get(n.type)?.displayName ?? n.type)
  return new Map(outputs.map((n, i) => [n.id, names.indexOf(names[i]!) === names.lastIndexOf(names[i]!) ? names[i]! : `${names[i]!}#${n.id}`]))
}

function collectOutputs(cell: SweepCell, result: RunResult, engine: SweepEngine): { scores: Record<string, number>; notes: Record<string, string> } {
  const scores: Record<string, number> = {}
  const notes: Record<string, string> = {}
  for (const [id, label] of outputLabels(cell.graph, engine)) {
    const node = cell.graph.nodes.find((n) => n.id === id)!
    const def = engine.registry.get(node.type)!
    const values = result.outputs.get(id)
    if (!values) continue
    for (const [name, spec] of Object.entries(def.outputs)) {
      const value = values[name]
      // Timings differ between runs and machines: the sweep records its own time per image instead.
      if (spec.timing) continue
      if ((spec.type === 'FLOAT' || spec.type === 'INT') && typeof value === 'number' && Number.isFinite(value)) scores[`${label}.${name}`] = value
      else if (spec.type === 'STRING' && typeof value === 'string') notes[`${label}.${name}`] = value
    }
  }
  return { scores, notes }
}

const now = (): number => globalThis.performance?.now() ?? Date.now()

export async function runCell(engine: SweepEngine, cell: SweepCell, options: Pick<RunOptions, 'signal' | 'onEvent'> = {}): Promise<CellResult> {
  const exec = toExecGraph(cell.graph)
  const [fromId, output] = imageSource(exec, engine)
  const started = now()
  const result = await engine.run(exec, { ...options, runId: `sweep-${cell.key}` })
  const ms = now() - started
  const batch = result.outputs.get(fromId)?.[output]
  if (!isImageBatch(batch) || batch.images.length === 0) {
    throw new SweepRunError(`cell ${cell.index + 1}: node ${fromId} gave no image on its output "${output}"`)
  }
  const graphJson = serializeGraphFile(cell.graph)
  const png = encodePng(batch.images[0]!, batch.width, batch.height, { parameters: parametersText(batch.parameters), [GRAPH_KEYWORD]: graphJson })
  return {
    key: cell.key,
    png,
    width: batch.width,
    height: batch.height,
    ...collectOutputs(cell, result, engine),
    ms,
    msPerImage: ms / batch.images.length,
    nodesRun: result.nodesRun,
  }
}
