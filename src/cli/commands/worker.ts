// `hypersd worker --queue redis://HOST:PORT [--model NAME=PATH ...] [--models-dir DIR] [--concurrency N]
// [--stalled-after SECONDS]`: runs sweep cells from the queue until Ctrl+C / SIGTERM (which finish the cell in hand).
// Models are resolved here, by this host's --model / --models-dir: every host needs the model names the graphs use.
import { resolve } from 'node:path'
import { Engine, NodeRegistry } from '../../engine/index.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { many, rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'
import { createCliHost, inputDirOption, type CliHost } from '../host.js'
import { createModelResolver, parseModelOverrides } from '../model-resolver.js'
import { defaultModelsRoot } from '../paths.js'
import { parseQueueUrl } from '../queue/connection.js'
import { startCellWorker } from '../queue/worker.js'

export const WORKER_OPTIONS = ['queue', 'model', 'models-dir', 'input-dir', 'concurrency', 'stalled-after', 'quiet', 'verbose'] as const
const USAGE = 'usage: hypersd worker --queue redis://HOST:PORT [--model NAME=PATH ...] [--models-dir DIR] [--concurrency N] [--stalled-after SECONDS]'
/** BullMQ's own default lock and stalled-check interval. */
const DEFAULT_STALLED_SECONDS = 30

function wholeNumber(args: ParsedArgs, key: string, fallback: number, min: number, max: number): number {
  const text = single(args, key)
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n < min || n > max || (key === 'concurrency' && !Number.isInteger(n))) {
    throw new UsageError(`--${key} expects a number from ${min} to ${max}, got "${text}"`)
  }
  return n
}

export async function workerCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, WORKER_OPTIONS)
  const queueUrl = single(args, 'queue')
  if (!queueUrl || args.positionals.length > 0) throw new UsageError(USAGE)
  const address = parseQueueUrl(queueUrl)
  const concurrency = wholeNumber(args, 'concurrency', 1, 1, 16)
  const stalledSeconds = wholeNumber(args, 'stalled-after', DEFAULT_STALLED_SECONDS, 1, 3600)
  const registry = new NodeRegistry(nodeDefinitions)
  const resolver = createModelResolver(resolve(single(args, 'models-dir') ?? defaultModelsRoot()), parseModelOverrides(many(args, 'model')))
  const quiet = args.options.has('quiet')
  const log = (line: string) => {
    if (!quiet) process.stdout.write(`${line}\n`)
  }
  // One engine (and session cache) per concurrent cell; with the default of 1 a worker keeps one engine for its life.
  const hosts: CliHost[] = []
  const engines = Array.from({ length: concurrency }, () => {
    const host = createCliHost({ resolver, ...inputDirOption(args), onImages: () => [] })
    hosts.push(host)
    return new Engine({ registry, services: host.services, onRelease: (keys) => void host.sessions.release(keys) })
  })
  const worker = startCellWorker({ address, registry, engines, stalledMs: stalledSeconds * 1000, log })
  const stopped = new Promise<void>((done) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) process.exit(130)
      stopping = true
      log(`${signal}: finishing the cell in hand, then stopping (again to quit now)`)
      void worker.close().then(done, done)
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  })
  await worker.waitUntilReady()
  log(`worker ready: queue ${address.display}, concurrency ${concurrency}, stalled cells retried after ${stalledSeconds} s`)
  await stopped
  await Promise.allSettled(hosts.map((h) => h.dispose()))
  return 0
}
