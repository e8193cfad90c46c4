// `npm run bench:sweep-workers`: the same 8-cell sweep (tiny SD1.5 at 256 px, 4 steps, 8 seeds) through BullMQ on a
// local redis-server, computed by one `hypersd worker` process and then by two. Workers are started and warmed up
// (models loaded) before the clock starts; each timed sweep uses fresh seeds, so no result comes from Redis.
// Rounds interleave one and two workers; the ratio per round is printed with its spread.
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { NodeRegistry } from '../src/engine/index.js'
import { parseGraphFile } from '../src/graph/parse.js'
import { parseQueueUrl } from '../src/cli/queue/connection.js'
import { runQueuedSweep } from '../src/cli/queue/submit.js'
import { MemoryCellStore, createSweepDefinition, resolveAxis } from '../src/sweep/index.js'
import { nodeDefinitions } from '../nodes/index.js'
import { startCli, type CliProcess } from '../tests/sweep/cli-process.js'
import { startRedis } from '../tests/sweep/redis-server.js'
import { fmt, spread } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CELLS = Number(process.env.BENCH_CELLS ?? 16)
const registry = new NodeRegistry(nodeDefinitions)
const graph = parseGraphFile(readFileSync(join(import.meta.dirname, '..', 'graphs', 'tiny-sd15-4step.json'), 'utf8'))

async function sweep(url: string, firstSeed: number, cells: number): Promise<number> {
  const seeds = Array.from({ length: cells }, (_, i) => firstSeed + i)
  const definition = createSweepDefinition(graph, [resolveAxis(graph, registry, 'axis 1', '4', 'seed', seeds)], 1, registry)
  const started = performance.now()
  const outcome = await runQueuedSweep({ definition, registry, address: parseQueueUrl(url), store: new MemoryCellStore() })
  if (outcome.computed !== cells) throw new Error(`expected ${cells} cells computed, got ${outcome.computed} (${outcome.reused} reused)`)
  return performance.now() - started
}

async function withWorkers<T>(url: string, count: number, body: () => Promise<T>): Promise<T> {
  const workers: CliProcess[] = Array.from({ length: count }, () => startCli(['worker', '--queue', url]))
  try {
    await Promise.all(workers.map((w) => w.line(/^worker ready/)))
    return await body()
  } finally {
    for (const w of workers) w.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => w.exit()))
  }
}

export async function benchSweepWorkers(): Promise<string[]> {
  const redis = await startRedis()
  const one: number[] = []
  const two: number[] = []
  let seed = 100_000
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [count, times] of [[1, one], [2, two]] as const) {
        await withWorkers(redis.url, count, async () => {
          // Warm-up: every worker loads its sessions (2 cells per worker, so each gets at least one).
          await sweep(redis.url, (seed += 100), 2 * count)
          times.push(await sweep(redis.url, (seed += 100), CELLS))
        })
      }
    }
  } finally {
    await redis.stop()
  }
  const ratios = one.map((t, i) => t / two[i]!)
  return [
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), shared with other jobs; tiny-sd15 at 256x256, 4 steps, ${CELLS} cells`,
    `one worker:  ${one.map(fmt).join(', ')}`,
    `two workers: ${two.map(fmt).join(', ')}`,
    `speed-up of two workers over one: ${spread(ratios, 2)}`,
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchSweepWorkers()) console.log(line)
}
