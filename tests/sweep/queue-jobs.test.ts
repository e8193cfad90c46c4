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
import { CellKeyMismatchError, cellJobData, cellJobResult, cellOfJob, DefinitionMissingError, definitionId, jobIdOf, resultOfJob, type DefinitionSource, type ParsedDefinitions } from '../../src/cli/queue/jobs.js'
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

  // What Redis holds: the definition once, under its sha256 (the submitter stores it; see submit.ts).
  const reads: string[] = []
  const stored: DefinitionSource = async (id) => (reads.push(id), id === definitionId(text) ? text : null)

  it('gives the worker the very cell the submitter keyed, for every cell of the sweep, reading the definition once', async () => {
    expect(cells).toHaveLength(6)
    const parsed: ParsedDefinitions = new Map()
    reads.length = 0
    for (const cell of cells) {
      // The job data survives Redis as JSON, and holds the definition's id, not its text.
      const data: unknown = JSON.parse(JSON.stringify(cellJobData(text, cell)))
      expect(JSON.stringify(data).length).toBeLessThan(200)
      const { cell: again } = await cellOfJob(jobIdOf(cell.key), data, registry, stored, parsed)
      expect(again.key).toBe(cell.key)
      expect(again.graph).toEqual(cell.graph)
    }
    expect(reads).toEqual([definitionId(text)])
  })

  it('refuses a job whose key differs from what this worker computes (another hypersd version), or whose definition is gone', async () => {
    const data = { ...cellJobData(text, cells[1]!), key: cells[2]!.key }
    await expect(cellOfJob(cells[2]!.key, data, registry, stored)).rejects.toThrow(CellKeyMismatchError)
    await expect(cellOfJob(cells[2]!.key, data, registry, stored)).rejects.toThrow(/cell 2, the submitter/)
    const id = definitionId(text)
    await expect(cellOfJob('x', { definition: id, index: 99, key: cells[0]!.key }, registry, stored)).rejects.toThrow(/queue job x: the sweep has no cell 100/)
    await expect(cellOfJob('x', { definition: id, index: 0 }, registry, stored)).rejects.toThrow(/queue job x/)
    // The definition expired or the database was cleared: said so, with what to do.
    await expect(cellOfJob('x', cellJobData(text, cells[0]!), registry, async () => null)).rejects.toThrow(DefinitionMissingError)
    await expect(cellOfJob('x', cellJobData(text, cells[0]!), registry, async () => null)).rejects.toThrow(/is no longer in Redis \(expired or cleared\): submit the sweep again/)
    // A text that is not the one the id names is refused.
    await expect(cellOfJob('x', cellJobData(text, cells[0]!), registry, async () => `${text} `)).rejects.toThrow(/does not match its sha256/)
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
