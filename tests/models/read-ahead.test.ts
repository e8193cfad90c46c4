// Reading model files ahead of the nodes that need them (src/models/read-ahead.ts), against a real HTTP server that
// logs every request: one GET per file, in the order asked, no HEAD once a size is known, nothing held past its time,
// and a failed read ahead retried by the real read.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { UrlFileSource } from '../../src/models/url-files.js'

const FILES: Record<string, Uint8Array> = {
  '/m/a.onnx': new Uint8Array(30_000).map((_, i) => i % 251),
  '/m/b.onnx': new Uint8Array(50_000).map((_, i) => (i * 3) % 251),
  '/m/big.onnx': new Uint8Array(200_000).fill(7),
  '/m/flaky.onnx': new Uint8Array(1_000).fill(9),
}
interface Logged {
  readonly method: string
  readonly path: string
  readonly at: number
  ended?: number
}
let log: Logged[] = []
let flakyFailures = 0
let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    const entry: Logged = { method: req.method ?? '', path: req.url ?? '', at: performance.now() }
    log.push(entry)
    res.on('finish', () => (entry.ended = performance.now()))
    const body = FILES[entry.path]
    if (!body || (entry.path === '/m/flaky.onnx' && entry.method === 'GET' && flakyFailures-- > 0)) {
      res.writeHead(body ? 500 : 404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) })
    // Slow enough that reads asked together would overlap if they were not queued.
    if (entry.method === 'HEAD') res.end()
    else setTimeout(() => res.end(body), 40)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m/`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

beforeEach(() => {
  log = []
  flakyFailures = 0
})

const gets = (): string[] => log.filter((e) => e.method === 'GET').map((e) => e.path)
const source = (keepMs = 60_000): UrlFileSource =>
  new UrlFileSource(base, { cacheName: null, readAheadLimits: { maxFileBytes: 100_000, maxHeldBytes: 150_000, keepMs } })
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('reading model files ahead', () => {
  it('fetches the files one after another in the order asked, and each read takes its bytes without a new request', async () => {
    const files = source()
    files.readAhead(['a.onnx', 'b.onnx'])
    // Waits for both reads to finish (a fixed wait flaked on a loaded machine).
    await expect.poll(() => log.filter((e) => e.method === 'GET' && e.ended !== undefined).length, { timeout: 10_000 }).toBe(2)
    const [a, b] = log.filter((e) => e.method === 'GET')
    expect([a?.path, b?.path]).toEqual(['/m/a.onnx', '/m/b.onnx'])
    expect(b!.at).toBeGreaterThanOrEqual(a!.ended!) // queued, not all at once
    const before = log.length
    expect(await files.size('b.onnx')).toBe(50_000)
    expect(await files.exists('a.onnx')).toBe(true)
    const progress: [number, number][] = []
    expect(await files.readBytes('a.onnx', (loaded, total) => progress.push([loaded, total]))).toEqual(FILES['/m/a.onnx'])
    expect(await files.readBytes('b.onnx')).toEqual(FILES['/m/b.onnx'])
    expect(log.length).toBe(before) // no HEAD, no second GET
    expect(progress.at(-1)).toEqual([30_000, 30_000]) // the finished read's progress is passed on
    // Claimed once: a later read fetches again (the bytes are not held after they were handed over).
    await files.readBytes('a.onnx')
    expect(gets()).toEqual(['/m/a.onnx', '/m/b.onnx', '/m/a.onnx'])
  })

  it('hands a read under way to the reader that asks for it, with its progress, instead of fetching twice', async () => {
    const files = source()
    files.readAhead(['a.onnx', 'b.onnx'])
    const progress: [number, number][] = []
    const b = await files.readBytes('b.onnx', (loaded, total) => progress.push([loaded, total]))
    expect(b).toEqual(FILES['/m/b.onnx'])
    expect(gets()).toEqual(['/m/a.onnx', '/m/b.onnx'])
    expect(progress.at(-1)).toEqual([50_000, 50_000])
  })

  it('leaves files over the size limit, or past what may be held, to their own read', async () => {
    const files = source()
    files.readAhead(['big.onnx', 'a.onnx', 'b.onnx', 'flaky.onnx'])
    await expect.poll(() => gets().length, { timeout: 10_000 }).toBe(3)
    await settle(300)
    // big: over 100 kB; a + b = 80 kB held; flaky would still fit (81 kB of 150 kB).
    expect(gets()).toEqual(['/m/a.onnx', '/m/b.onnx', '/m/flaky.onnx'])
    expect(await files.readBytes('big.onnx')).toEqual(FILES['/m/big.onnx'])
    expect(gets().filter((p) => p === '/m/big.onnx')).toHaveLength(1)

    files.readAhead(['a.onnx']) // already held: not asked again
    await settle(100)
    expect(gets().filter((p) => p === '/m/a.onnx')).toHaveLength(1)

    const crowded = new UrlFileSource(base, { cacheName: null, readAheadLimits: { maxFileBytes: 100_000, maxHeldBytes: 60_000, keepMs: 60_000 } })
    log = []
    crowded.readAhead(['a.onnx', 'b.onnx']) // 30 kB + 50 kB > 60 kB: b waits for its own read
    await settle(300)
    expect(gets()).toEqual(['/m/a.onnx'])
  })

  it('drops bytes nobody claimed once their time is up', async () => {
    const files = source(50)
    files.readAhead(['a.onnx'])
    await settle(300)
    await files.readBytes('a.onnx')
    expect(gets()).toEqual(['/m/a.onnx', '/m/a.onnx'])
  })

  it('retries a failed read ahead as the real read, which reports its own error', async () => {
    flakyFailures = 1
    const files = source()
    files.readAhead(['flaky.onnx'])
    await settle(200)
    expect(await files.readBytes('flaky.onnx')).toEqual(FILES['/m/flaky.onnx'])
    expect(gets()).toEqual(['/m/flaky.onnx', '/m/flaky.onnx'])

    flakyFailures = 2
    log = []
    files.readAhead(['flaky.onnx'])
    await expect(files.readBytes('flaky.onnx')).rejects.toThrow(/flaky\.onnx: HTTP 500/)
  })
})
