// `hypersd sweep ... --queue URL`: the in-process command's behaviour (progress with an ETA, Ctrl+C keeps what is
// done, cells in --out, grid/CSV/JSON/chart written at the end) with the cells computed by `hypersd worker`s.
import { join } from 'node:path'
import type { NodeRegistry } from '../../engine/index.js'
import { sweepShape, type SweepDefinition } from '../../sweep/index.js'
import { UsageError } from '../args.js'
import { FileCellStore } from '../sweep/file-store.js'
import { writeSweepOutputs } from '../sweep/outputs.js'
import { createSweepProgress } from '../sweep/progress.js'
import { parseQueueUrl } from './connection.js'
import { runQueuedSweep } from './submit.js'

export interface QueuedSweepCommand {
  readonly queueUrl: string
  readonly definition: SweepDefinition
  readonly registry: NodeRegistry
  readonly outDir: string
  readonly quiet: boolean
  /** --model / --models-dir given to the submitter: refused, since workers resolve models. */
  readonly modelOptions: readonly string[]
}

export async function queuedSweepCommand(command: QueuedSweepCommand): Promise<number> {
  if (command.modelOptions.length > 0) {
    throw new UsageError(`--queue: ${command.modelOptions.map((o) => `--${o}`).join(' and ')} belong on each \`hypersd worker\` (workers resolve the models), not on the submitter`)
  }
  const address = parseQueueUrl(command.queueUrl)
  const { definition, outDir, quiet } = command
  const progress = createSweepProgress(process.stderr)
  const abort = new AbortController()
  const onInterrupt = () => {
    abort.abort()
    process.stderr.write('\ncancelling: the cells done are kept, queued cells stay queued for the workers; run the same command again to collect them\n')
  }
  process.once('SIGINT', onInterrupt)
  try {
    if (!quiet) process.stderr.write(`sweep: ${sweepShape(definition).total} cells into ${outDir} through ${address.display}\n`)
    const outcome = await runQueuedSweep({
      definition,
      registry: command.registry,
      address,
      store: new FileCellStore(join(outDir, 'cells')),
      signal: abort.signal,
      ...(quiet ? {} : { onProgress: (p) => progress.update(p), onNote: (text) => process.stderr.write(`${text}\n`) }),
    })
    progress.end()
    const written = await writeSweepOutputs(outDir, definition, outcome)
    for (const path of written) process.stdout.write(`${path}\n`)
    const done = outcome.results.filter((r) => r !== undefined).length
    if (!quiet) process.stderr.write(`${done} of ${outcome.cells.length} cells done: ${outcome.computed} computed by workers, ${outcome.reused} reused\n`)
    return outcome.cancelled ? 130 : 0
  } finally {
    process.off('SIGINT', onInterrupt)
    progress.end()
  }
}
