// `hypersd sweep GRAPH --vary NODE.INPUT=LIST|START:STOP:STEP|@FILE [--vary ...] [--seeds N] --out DIR`: every
// combination through one engine (its cache spans the cells), each cell stored in DIR/cells as it finishes, so
// Ctrl+C keeps what is done and the same command resumes. Writes grid.png, sweep.csv, sweep.json and chart.svg.
import { join, resolve } from 'node:path'
import { Engine, NodeRegistry } from '../../engine/index.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { runSweep, sweepShape } from '../../sweep/index.js'
import { many, rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'
import { createCliHost, inputDirOption } from '../host.js'
import { ensureWritableFolder } from '../image-writer.js'
import { createModelResolver, parseModelOverrides } from '../model-resolver.js'
import { defaultModelsRoot } from '../paths.js'
import { FileCellStore } from '../sweep/file-store.js'
import { openSweep } from '../sweep/open.js'
import { writeSweepOutputs } from '../sweep/outputs.js'
import { createSweepProgress } from '../sweep/progress.js'
import { queuedSweepCommand } from '../queue/sweep-command.js'

export const SWEEP_OPTIONS = ['vary', 'seeds', 'set', 'out', 'model', 'models-dir', 'input-dir', 'queue', 'quiet', 'verbose'] as const
const USAGE = 'usage: hypersd sweep <graph | grid.png | sweep.json> --vary NODE.INPUT=LIST|START:STOP:STEP|@FILE [--vary ...] [--seeds N] [--set NODE.INPUT=VALUE ...] --out DIR'

function parseSeeds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--seeds expects a whole number of at least 1, got "${text}"`)
  return n
}

export async function sweepCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, SWEEP_OPTIONS)
  const [source, ...extra] = args.positionals
  const outOption = single(args, 'out')
  if (!source || extra.length > 0 || !outOption) throw new UsageError(USAGE)
  const registry = new NodeRegistry(nodeDefinitions)
  const outDir = resolve(outOption)
  const { definition, warnings } = await openSweep({ source, vary: many(args, 'vary'), seeds: parseSeeds(single(args, 'seeds')), set: many(args, 'set') }, registry)
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`)
  await ensureWritableFolder(outDir)
  // Many machines: `hypersd worker`s compute the cells through BullMQ on Redis (src/cli/queue/).
  const queueUrl = single(args, 'queue')
  if (queueUrl !== undefined) {
    const modelOptions = (['model', 'models-dir'] as const).filter((o) => args.options.has(o))
    return queuedSweepCommand({ queueUrl, definition, registry, outDir, quiet: args.options.has('quiet'), modelOptions })
  }
  const modelsDir = single(args, 'models-dir')
  const overrides = parseModelOverrides(many(args, 'model'))
  const resolver = createModelResolver(resolve(modelsDir ?? defaultModelsRoot()), overrides)
  // Cells computed with other model files must not be reused for the graph's own: the mapping is part of each key.
  const mapping = [...overrides].sort(([a], [b]) => a.localeCompare(b))
  const keyContext = mapping.length > 0 || modelsDir !== undefined ? JSON.stringify({ models: mapping, modelsDir: modelsDir && resolve(modelsDir) }) : undefined
  // The sweep keeps each cell's image itself (runCell); what Save Image nodes hand the host is not written again.
  const host = createCliHost({ resolver, ...inputDirOption(args), onImages: () => [] })
  const quiet = args.options.has('quiet')
  const progress = createSweepProgress(process.stderr)
  // First Ctrl+C: finish nothing more, keep what is done, write the partial grid. A second one kills as usual.
  const abort = new AbortController()
  const onInterrupt = () => {
    abort.abort()
    process.stderr.write('\ncancelling: the cells done are kept; run the same command again to resume\n')
  }
  process.once('SIGINT', onInterrupt)
  try {
    const engine = new Engine({ registry, services: host.services, onRelease: (keys) => void host.sessions.release(keys) })
    if (!quiet) process.stderr.write(`sweep: ${sweepShape(definition).total} cells into ${outDir}\n`)
    const outcome = await runSweep({
      definition,
      engine,
      store: new FileCellStore(join(outDir, 'cells')),
      signal: abort.signal,
      ...(keyContext ? { keyContext } : {}),
      ...(quiet ? {} : { onProgress: (p) => progress.update(p) }),
    })
    progress.end()
    const written = await writeSweepOutputs(outDir, definition, outcome)
    for (const path of written) process.stdout.write(`${path}\n`)
    const done = outcome.results.filter((r) => r !== undefined).length
    if (!quiet) process.stderr.write(`${done} of ${outcome.cells.length} cells done: ${outcome.computed} computed, ${outcome.reused} reused from ${join(outDir, 'cells')}\n`)
    return outcome.cancelled ? 130 : 0
  } finally {
    process.off('SIGINT', onInterrupt)
    progress.end()
    await host.dispose()
  }
}
