// What travels through the sweep queue, without Redis: the --queue URL, a cell's job data back into the same
// cell on the worker's side, and a result through its JSON return value.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NodeRegistry } from '../../src/engine/index.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { UsageError } from '../../src/cli/args.js'
import { parseQueueUrl, probeQueue } from '../../src/cli/queue/connection.js'
import { CellKeyMismatchError, cellJobData, cellJobResult, cellOfJob, jobIdOf, resultOfJob } from '../../src/cli/queue/jobs.js'
import { createSweepDefinition, resolveAxis, serializeSweepDefinition, sweepCells, type CellResult } from '../../src/sweep/index.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { ROOT } from '../cli/run-cli.js'

const registry = new NodeRegistry(nodeDefinitions)
const graph = parseGraphFile(readFileSync(join(ROOT, 'graphs', 'tiny-sd15-4step.json'), 'utf8'))
const definition = createSweepDefinition(graph, [resolveAxis(graph, registry, 'axis 1', '4', 'steps', [1, 2, 4])], 2, registry)
const cells = sweepCells(definition, registry)

describe('--queue URL', () => {
  it('gives host, port, database and credentials, and hides the password in messages', () => {
    const address = parseQueueUrl('redis://sweeper:s3cret@10.0.0.5:6380/2')
    expect(address.connection).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'sweeper', password: 's3cret', maxRetriesPerRequest: null })
    expect(address.display).toBe('redis://sweeper:***@10.0.0.5:6380/2')
    expect(parseQueueUrl('redis://gpu-box').connection).toMatchObject({ host: 'gpu-box', port: 6379, db: 0 })
    expect(parseQueueUrl('rediss://gpu-box:6390').connection).toMatchObject({ tls: {} })
  })

  it('refuses what is not a Redis URL, naming --queue', () => {
    expect(() => parseQueueUrl('10.0.0.5:6379')).toThrow(UsageError)
    expect(() => parseQueueUrl('http://10.0.0.5:6379')).toThrow(/--queue: expected a redis:\/\/ or rediss:\/\/ URL/)
    expect(() => parseQueueUrl('redis://10.0.0.5:6379/x')).toThrow(/--queue: the database/)
  })
})

describe('an unreachable Redis', () => {
  it('is one error naming --queue and the reason, before BullMQ starts retrying', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
      })
    })
    await expect(probeQueue(parseQueueUrl(`redis://127.0.0.1:${port}`))).rejects.toThrow(`--queue redis://127.0.0.1:${port}: cannot reach Redis (ECONNREFUSED)`)
  })
})

describe('cell jobs', () => {
  const text = serializeSweepDefinition(definition)

  it('gives the worker the very cell the submitter keyed, for every cell of the sweep', () => {
    expect(cells).toHaveLength(6)
    for (const cell of cells) {
      // The job data survives Redis as JSON.
      const data: unknown = JSON.parse(JSON.stringify(cellJobData(text, cell)))
      const { cell: again } = cellOfJob(jobIdOf(cell.key), data, registry)
      expect(again.key).toBe(cell.key)
      expect(again.graph).toEqual(cell.graph)
    }
  })

  it('refuses a job whose key differs from what this worker computes (another hypersd version)', () => {
    const data = { ...cellJobData(text, cells[1]!), key: cells[2]!.key }
    expect(() => cellOfJob(cells[2]!.key, data, registry)).toThrow(CellKeyMismatchError)
    expect(() => cellOfJob(cells[2]!.key, data, registry)).toThrow(/cell 2, the submitter/)
    expect(() => cellOfJob('x', { definition: text, index: 99, key: cells[0]!.key }, registry)).toThrow(/queue job x: the sweep has no cell 100/)
    expect(() => cellOfJob('x', { definition: text, index: 0 }, registry)).toThrow(/queue job x/)
  })

  it('brings a result back from the return value, PNG bytes included, only for its own key', () => {
    const result: CellResult = {
      key: cells[0]!.key, png: new Uint8Array([137, 80, 78, 71, 0, 255, 1]), width: 64, height: 64,
      scores: { 'Scene Score.score': 0.75 }, notes: { 'Scene Score.report': 'red circle: 0.9' }, ms: 12.5, msPerImage: 12.5, nodesRun: ['4', '5'],
    }
    const stored: unknown = JSON.parse(JSON.stringify(cellJobResult(result)))
    expect(resultOfJob(cells[0]!.key, stored)).toEqual(result)
    expect(() => resultOfJob(cells[1]!.key, stored)).toThrow(`holds cell ${cells[0]!.key}, not ${cells[1]!.key}`)
    expect(() => resultOfJob(cells[0]!.key, { record: 'x' })).toThrow(/queue job [0-9a-f]{32} \(result\)/)
  })
})
