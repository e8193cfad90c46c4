// The sweep a command line describes: a graph (JSON, PNG or ComfyUI) with --vary axes, or a sweep to reopen
// (a grid.png or sweep.json from an earlier run), whose axes --vary may replace.
import { readFile } from 'node:fs/promises'
import type { NodeRegistry } from '../../engine/index.js'
import { applyOverrides, isPng, readJson } from '../../graph/index.js'
import {
  SWEEP_FORMAT, createSweepDefinition, parseVarySpec, readSweepFromPng, resolveAxis, sourceValues, validateSweepDocument, SweepSpecError,
  type SweepAxis, type SweepDefinition,
} from '../../sweep/index.js'
import type { JsonValue } from '../../graph/safe-json.js'
import { loadGraph } from '../graph-loading.js'

/** A saved sweep in these bytes (grid PNG chunk, or sweep.json's `definition`), else undefined. */
export function savedSweep(bytes: Uint8Array, registry: NodeRegistry, source: string): SweepDefinition | undefined {
  if (isPng(bytes)) return readSweepFromPng(bytes, registry, source)
  const text = new TextDecoder().decode(bytes)
  if (!text.includes(SWEEP_FORMAT)) return undefined
  const doc = readJson(text, source)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined
  const definition = Object.hasOwn(doc, 'definition') ? doc.definition : doc
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition) || definition.format !== SWEEP_FORMAT) return undefined
  return validateSweepDocument(definition as JsonValue, registry, source)
}

export interface SweepRequest {
  readonly source: string
  readonly vary: readonly string[]
  readonly seeds: number | undefined
  /** `--set NODE.INPUT=VALUE` applied to the graph before the axes. */
  readonly set: readonly string[]
}

export async function openSweep(request: SweepRequest, registry: NodeRegistry): Promise<{ definition: SweepDefinition; warnings: readonly string[] }> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(request.source)
  } catch (error) {
    throw new Error(`${request.source}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  const saved = savedSweep(bytes, registry, request.source)
  const loaded = saved ? undefined : await loadGraph(request.source, registry, request.set)
  const graph = saved ? applyOverrides(saved.graph, request.set, registry) : loaded!.file
  if (!saved && request.vary.length === 0) throw new SweepSpecError('nothing to vary: give --vary NODE.INPUT=VALUES (one or two)')
  if (request.vary.length > 2) throw new SweepSpecError(`a sweep has at most two axes, got ${request.vary.length} --vary options`)
  let axes: readonly SweepAxis[] = saved?.axes ?? []
  if (request.vary.length > 0) {
    axes = await Promise.all(
      request.vary.map(async (text, i) => {
        const spec = parseVarySpec(text)
        const values = await sourceValues(spec, (path) => readFile(path, 'utf8'))
        return resolveAxis(graph, registry, `axis ${i + 1}`, spec.node, spec.input, values)
      }),
    )
  }
  const definition = createSweepDefinition(graph, axes, request.seeds ?? saved?.seeds ?? 1, registry)
  return { definition, warnings: loaded?.warnings ?? [] }
}
