// `hypersd run <graph.json | graph.png | comfyui-workflow.json> [--set NODE.INPUT=VALUE ...] [--model NAME=PATH ...] [--out DIR]`
import { resolve } from 'node:path'
import { Engine, NodeRegistry, outputNodeValues, type RunResult } from '../../engine/index.js'
import { serializeGraphFile } from '../../graph/parse.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { many, rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'
import { loadGraph, type LoadedGraph } from '../graph-loading.js'
import { createCliHost, inputDirOption } from '../host.js'
import { ensureWritableFolder, PendingImages, writeImagesInterruptibly } from '../image-writer.js'
import { createModelResolver, parseModelOverrides } from '../model-resolver.js'
import { createProgressReporter } from '../progress.js'
import { defaultModelsRoot } from '../paths.js'

/** Numbers and text that output nodes produced (e.g. a reward score), one line per node; text of several lines indented below. */
function scalarOutputs(outputs: RunResult['outputs'], graph: LoadedGraph, registry: NodeRegistry): string[] {
  return [...outputNodeValues(outputs, graph.exec.nodes, registry)].map(([id, shown]) => {
    const values = shown.map(({ name, value }) => (value.includes('\n') ? `${name} =\n${value.replace(/^/gm, '    ')}` : `${name} = ${value}`))
    return `${graph.titles.get(id) ?? id}: ${values.join(', ')}`
  })
}

export const RUN_OPTIONS = ['set', 'model', 'out', 'models-dir', 'input-dir', 'previews', 'verbose', 'quiet'] as const

export async function runCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, RUN_OPTIONS)
  const [graphPath, ...extra] = args.positionals
  if (!graphPath || extra.length > 0) throw new UsageError('usage: hypersd run <graph.json> [--set NODE.INPUT=VALUE ...] [--model NAME=PATH ...] [--out DIR]')
  const registry = new NodeRegistry(nodeDefinitions)
  const outDir = resolve(single(args, 'out') ?? 'out')
  const resolver = createModelResolver(resolve(single(args, 'models-dir') ?? defaultModelsRoot()), parseModelOverrides(many(args, 'model')))
  const graph = await loadGraph(graphPath, registry, many(args, 'set'))
  for (const warning of graph.warnings) process.stderr.write(`warning: ${warning}\n`)
  // Fail before any model work if the images could not be written anyway.
  await ensureWritableFolder(outDir)
  const images = new PendingImages(args.options.has('previews'))
  const host = createCliHost({ resolver, ...inputDirOption(args), graphJson: serializeGraphFile(graph.file), onImages: (output) => images.add(output) })
  const quiet = args.options.has('quiet')
  const report = createProgressReporter(process.stderr, graph.titles)
  try {
    const engine = new Engine({ registry, services: host.services, onRelease: (keys) => void host.sessions.release(keys) })
    const result = await engine.run(graph.exec, { onEvent: quiet ? undefined : report })
    if (!quiet) for (const line of scalarOutputs(result.outputs, graph, registry)) process.stderr.write(`${line}\n`)
    const { written, interrupted } = await writeImagesInterruptibly(images, outDir)
    for (const path of written) process.stdout.write(`${path}\n`)
    if (interrupted) {
      process.stderr.write(`interrupted: wrote ${written.length} of ${images.count} images (listed above); nothing half-written was left\n`)
      return 130
    }
    if (written.length === 0) process.stderr.write('note: the graph saved no images (add a Save Image node, or pass --previews)\n')
    return 0
  } finally {
    await host.dispose()
  }
}
