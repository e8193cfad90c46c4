// `hypersd import <file> [--out graph.json]`: a ComfyUI workflow / API prompt, or a PNG with a graph embedded,
// converted to this project's graph file (printed, or written to --out).
import { writeFile } from 'node:fs/promises'
import { NodeRegistry, planRun } from '../../engine/index.js'
import { migrateGraph, serializeGraphFile } from '../../graph/parse.js'
import { toExecGraph } from '../../graph/exec.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'
import { readGraphSource } from '../graph-loading.js'

export async function importCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['out', 'verbose'])
  const [source, ...extra] = args.positionals
  if (!source || extra.length > 0) throw new UsageError('usage: hypersd import <workflow.json | image.png> [--out graph.json]')
  const registry = new NodeRegistry(nodeDefinitions)
  const opened = await readGraphSource(source, registry)
  const graph = migrateGraph(opened.graph, registry).graph
  for (const warning of opened.warnings) process.stderr.write(`warning: ${warning}\n`)
  // An import was checked as it was read (the lines are in its report too); our own files are checked here.
  const blocking = opened.blocking ?? planRun(toExecGraph(graph), registry).issues.map((issue) => issue.message)
  for (const line of blocking) process.stderr.write(`cannot run: ${line}\n`)
  const text = serializeGraphFile(graph)
  const out = single(args, 'out')
  if (out) {
    await writeFile(out, text)
    process.stderr.write(`wrote ${out} (${graph.nodes.length} nodes, from ${opened.origin === 'comfyui' ? 'a ComfyUI workflow' : opened.origin})\n`)
  } else {
    process.stdout.write(text)
  }
  return 0
}
