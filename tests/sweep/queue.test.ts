// The distributed sweep on real processes: Debian's redis-server, two `hypersd worker`s and the `hypersd sweep
// --queue` submitter, against the in-process sweep of the same definition on the tiny SD1.5 twin at 64 px.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SWEEP_QUEUE_NAME, parseQueueUrl } from '../../src/cli/queue/connection.js'
import { definitionRedisKey, KEEP_FINISHED_SECONDS } from '../../src/cli/queue/jobs.js'
import { runQueuedSweep } from '../../src/cli/queue/submit.js'
import { NodeRegistry } from '../../src/engine/index.js'
import { MemoryCellStore, parseSweepDefinition } from '../../src/sweep/index.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { ROOT } from '../cli/run-cli.js'
import { runCliAsync } from '../cli/run-cli-async.js'
import { startCli, type CliProcess } from './cli-process.js'
import { startRedis, type RedisServer } from './redis-server.js'

const graph = join(ROOT, 'graphs', 'tiny-sd15-4step.json')
const tempDir = () => mkdtempSync(join(tmpdir(), 'hypersd-queue-'))
/** 3 step counts x 2 seeds at 64 px: each cell is real sampling + decode, the first one a worker gets loads the models. */
const sweepArgs = (out: string, seed = 1) => ['sweep', graph, '--vary', '4.steps=1,2,4', '--vary', `4.seed=${seed},${seed + 1}`, '--set', '3.width=64', '--set', '3.height=64', '--out', out, '--quiet']
/** The same sweep through the queue; `talk` drops --quiet, for the submitter's notes on stderr. */
const queuedArgs = (out: string, seed = 1, talk = false) => [...sweepArgs(out, seed).filter((arg) => !talk || arg !== '--quiet'), '--queue', redis.url]
/** The CSV without its time_ms column (the only one that depends on the machine that ran the cell). */
function csvWithoutTimes(path: string): string[][] {
  const rows = readFileSync(path, 'utf8').trimEnd().split('\r\n').map((line) => line.split(','))
  const timeColumn = rows[0]!.indexOf('time_ms')
  expect(timeColumn).toBeGreaterThan(0)
  return rows.map((row) => row.filter((_, i) => i !== timeColumn))
}
const startedKeys = (worker: CliProcess) => [...worker.output().matchAll(/^cell ([0-9a-f]{32}) started/gm)].map((m) => m[1]!)

const registry = new NodeRegistry(nodeDefinitions)
let redis: RedisServer
const workers: CliProcess[] = []
const startWorker = (stalledAfterSeconds: number) => {
  const worker = startCli(['worker', '--queue', redis.url, '--stalled-after', String(stalledAfterSeconds)])
  workers.push(worker)
  return worker
}

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL')
  await redis?.stop()
})

describe('hypersd sweep --queue with hypersd worker', () => {
  it('survives a worker killed mid-cell: the cell is retried by the other, and the grid equals the in-process one byte for byte', async () => {
    const local = tempDir()
    const inProcess = runCliAsync(sweepArgs(local))
    // Stalled cells are looked for every 2 s here (30 s by default): a quick retry, at the cost described in worker.ts.
    const a = startWorker(2)
    const b = startWorker(2)
    await Promise.all([a.line(/^worker ready/), b.line(/^worker ready/)])
    const queued = tempDir()
    const submitter = runCliAsync(queuedArgs(queued))
    // A worker's first cell loads the models (seconds), so killing on its "started" line kills it while it holds the cell.
    const killedKey = (await a.line(/^cell [0-9a-f]{32} started/)).split(' ')[1]!
    a.child.kill('SIGKILL')
    expect(await a.exit()).toBe('SIGKILL')
    expect(a.output()).not.toContain(`cell ${killedKey} done`)

    const [mine, theirs] = await Promise.all([inProcess, submitter])
    expect(mine.stderr).toBe('')
    expect(mine.code).toBe(0)
    expect(theirs.stderr).toBe('')
    expect(theirs.code).toBe(0)
    // The killed cell ran again on the other worker, after BullMQ's stalled-job check put it back.
    expect(b.output()).toContain(`cell ${killedKey} started`)
    expect(b.output()).toContain(`cell ${killedKey} done`)
    const queue = new Queue(SWEEP_QUEUE_NAME, { connection: parseQueueUrl(redis.url).connection })
    try {
      const job = await queue.getJob(killedKey)
      expect(await job?.getState()).toBe('completed')
      expect(job?.stalledCounter).toBeGreaterThanOrEqual(1)
      // Finished cells expire after a week instead of staying in Redis for good.
      expect(job?.opts.removeOnComplete).toEqual({ age: KEEP_FINISHED_SECONDS })
      // The job names its sweep definition by sha256; the text is in Redis once, expiring with the results.
      const definition = (job?.data as { definition: string }).definition
      expect(definition).toMatch(/^[0-9a-f]{64}$/)
      const ttl = await (await queue.client).ttl(definitionRedisKey(definition))
      expect(ttl).toBeGreaterThan(KEEP_FINISHED_SECONDS - 600)
      expect(ttl).toBeLessThanOrEqual(KEEP_FINISHED_SECONDS)
      expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toMatchObject({ completed: 6, failed: 0, wait: 0, active: 0 })
    } finally {
      await queue.close()
    }
    // Every cell of the grid, in grid order, equal to the in-process sweep's.
    expect(Buffer.compare(readFileSync(join(queued, 'grid.png')), readFileSync(join(local, 'grid.png')))).toBe(0)
    expect(csvWithoutTimes(join(queued, 'sweep.csv'))).toEqual(csvWithoutTimes(join(local, 'sweep.csv')))
    expect(readdirSync(join(queued, 'cells')).sort()).toEqual(readdirSync(join(local, 'cells')).sort())
    for (const name of readdirSync(join(local, 'cells')).filter((n) => n.endsWith('.png'))) {
      expect(Buffer.compare(readFileSync(join(queued, 'cells', name)), readFileSync(join(local, 'cells', name))), name).toBe(0)
    }

    // Resubmitting the same sweep (an empty store, so nothing comes from files) runs no cell again: results come from Redis.
    const ranBefore = startedKeys(b).length
    const definition = parseSweepDefinition(JSON.stringify(JSON.parse(readFileSync(join(local, 'sweep.json'), 'utf8')).definition), registry)
    const notes: string[] = []
    const again = await runQueuedSweep({ definition, registry, address: parseQueueUrl(redis.url), store: new MemoryCellStore(), onNote: (t) => notes.push(t) })
    expect(notes.join('\n')).toContain('0 cells added, 6 already there, 0 to compute')
    expect([again.computed, again.reused, again.cancelled]).toEqual([0, 6, false])
    expect(startedKeys(b).length).toBe(ranBefore)
    for (const cell of again.cells) {
      expect(Buffer.compare(Buffer.from(again.results[cell.index]!.png), readFileSync(join(local, 'cells', `${cell.key}.png`)))).toBe(0)
    }
  }, 150_000)

  it('resumes after the submitter restarts: only missing jobs are added, queued ones are collected', async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => w.exit()))
    const out = tempDir()
    // No worker is running: the first submitter queues the six cells and is interrupted while it waits.
    const first = startCli(queuedArgs(out, 11, true))
    await first.line(/6 cells added, 0 already there, 6 to compute, 0 workers connected/)
    first.child.kill('SIGINT')
    expect(await first.exit(), first.output()).toBe(130)
    // BullMQ's default lock: on a loaded machine a 2 s lock could lapse and run a cell twice, which this test counts.
    const worker = startWorker(30)
    await worker.line(/^worker ready/)
    const second = await runCliAsync(queuedArgs(out, 11, true))
    expect(second.code).toBe(0)
    expect(second.stderr).toContain('0 cells added, 6 already there')
    expect(second.stderr).toContain('6 of 6 cells done')
    // Each cell ran once, on the one worker.
    expect(new Set(startedKeys(worker)).size).toBe(6)
    expect(startedKeys(worker).length).toBe(6)
  }, 120_000)
})
