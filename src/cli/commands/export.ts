// `hypersd export --comfyui <graph.json | image.png> [--api] [--out FILE]`: a graph (or a PNG with one embedded) as
// a ComfyUI workflow (what ComfyUI's Save writes), or with --api as an API prompt; where ComfyUI would run
// something different is printed to stderr.
import { writeFile } from 'node:fs/promises'
import { NodeRegistry } from '../../engine/index.js'
import { exportComfyPrompt, exportComfyWorkflow } from '../../graph/comfyui-export.js'
import { migrateGraph } from '../../graph/parse.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'
import { readGraphSource } from '../graph-loading.js'

const USAGE = 'usage: hypersd export --comfyui <graph.json | image.png> [--api] [--out FILE]'

export async function exportCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['comfyui', 'api', 'out', 'verbose'])
  const [source, ...extra] = args.positionals
  if (!source || extra.length > 0) throw new UsageError(USAGE)
  if (!args.options.has('comfyui')) throw new UsageError(`${USAGE} (ComfyUI is the only export format: add --comfyui)`)
  const registry = new NodeRegistry(nodeDefinitions)
  const opened = await readGraphSource(source)
  const graph = migrateGraph(opened.graph, registry).graph
  for (const warning of opened.warnings) process.stderr.write(`warning: ${warning}\n`)
  const options = { describe: (type: string) => registry.get(type) }
  const api = args.options.has('api')
  const { document, warnings } = api ? exportComfyPrompt(graph, options) : exportComfyWorkflow(graph, options)
  for (const warning of warnings) process.stderr.write(`note: ${warning}\n`)
  const text = `${JSON.stringify(document, null, 2)}\n`
  const out = single(args, 'out')
  if (out) {
    await writeFile(out, text)
    process.stderr.write(`wrote ${out} (ComfyUI ${api ? 'API prompt' : 'workflow'}, ${graph.nodes.length} nodes of ours)\n`)
  } else {
    process.stdout.write(text)
  }
  return 0
}
