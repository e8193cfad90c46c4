// The server `npm start` runs (scripts/app/serve.ts), on a real socket over a folder laid out like a build: the page
// and its files cross-origin isolated, HEAD answered from the file's size, nothing gzipped, ranges, revalidation by
// ETag, hashed assets cached for good, a linked models folder served through its link, nothing outside the folder.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRange, serveApp, type ServedApp } from '../../scripts/app/serve.js'

let root = ''
let app: ServedApp
const weights = new Uint8Array(100_000).map((_, i) => (i * 7) % 256)

beforeAll(async () => {
  const top = mkdtempSync(join(tmpdir(), 'hypersd-serve-'))
  root = join(top, 'dist')
  mkdirSync(join(root, 'assets'), { recursive: true })
  mkdirSync(join(top, 'models', 'tiny', 'unet'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Hyper-SD Studio</title>')
  writeFileSync(join(root, 'assets', 'app-Abc123.js'), 'export const answer = 42\n'.repeat(200))
  writeFileSync(join(root, 'assets', 'ort-Def456.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))
  writeFileSync(join(top, 'models', 'tiny', 'unet', 'model.onnx'), weights)
  writeFileSync(join(top, 'models', 'index.json'), '{"models":[]}')
  writeFileSync(join(top, 'secret.txt'), 'outside the build')
  symlinkSync(join(top, 'models'), join(root, 'models')) // as npm start's build links public/models
  app = await serveApp({ root, host: '127.0.0.1', port: 0 })
})

afterAll(async () => {
  await app.close()
  rmSync(join(root, '..'), { recursive: true, force: true })
})

/** A request with the path sent as written (fetch would normalise "..").  */
function rawGet(path: string): Promise<number> {
  const url = new URL(app.url)
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe("npm start's server", () => {
  it('serves the page at / cross-origin isolated, revalidated by ETag', async () => {
    const page = await fetch(app.url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(await page.text()).toContain('Hyper-SD Studio')
    const etag = page.headers.get('etag')!
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/)
    const again = await fetch(app.url, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('caches hashed build assets for good, with the types the browser needs (wasm for streaming compilation)', async () => {
    const script = await fetch(`${app.url}assets/app-Abc123.js`)
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const wasm = await fetch(`${app.url}assets/ort-Def456.wasm`)
    expect(wasm.headers.get('content-type')).toBe('application/wasm')
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))
  })

  it('sends every file as it is, with its length, to a browser that asks for gzip', async () => {
    for (const path of ['assets/app-Abc123.js', 'models/index.json', 'models/tiny/unet/model.onnx']) {
      const response = await fetch(`${app.url}${path}`, { headers: { 'accept-encoding': 'gzip, br' } })
      expect(response.headers.get('content-encoding'), path).toBeNull()
      const body = new Uint8Array(await response.arrayBuffer())
      expect(response.headers.get('content-length'), path).toBe(String(body.byteLength))
    }
    const model = await fetch(`${app.url}models/tiny/unet/model.onnx`)
    expect(model.headers.get('content-type')).toBe('application/octet-stream')
    expect(new Uint8Array(await model.arrayBuffer())).toEqual(weights)
  })

  it('answers HEAD with the size and no body', async () => {
    const head = await fetch(`${app.url}models/tiny/unet/model.onnx`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(weights.byteLength))
    expect(head.headers.get('accept-ranges')).toBe('bytes')
    expect((await head.arrayBuffer()).byteLength).toBe(0)
  })

  it('answers byte ranges, and refuses one past the end', async () => {
    const url = `${app.url}models/tiny/unet/model.onnx`
    const first = await fetch(url, { headers: { range: 'bytes=0-15' } })
    expect(first.status).toBe(206)
    expect(first.headers.get('content-range')).toBe(`bytes 0-15/${weights.byteLength}`)
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(weights.subarray(0, 16))
    const tail = await fetch(url, { headers: { range: 'bytes=-10' } })
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(weights.subarray(weights.byteLength - 10))
    const rest = await fetch(url, { headers: { range: 'bytes=99990-' } })
    expect(rest.headers.get('content-length')).toBe('10')
    const past = await fetch(url, { headers: { range: `bytes=${weights.byteLength}-` } })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${weights.byteLength}`)
  })

  it('serves nothing outside its folder, and says what is missing or not allowed', async () => {
    // Dot segments are resolved within the URL (so these ask for /secret.txt inside the folder); an encoded slash
    // is only decoded after that, and would climb out.
    expect(await rawGet('/../secret.txt')).toBe(404)
    expect(await rawGet('/%2e%2e/secret.txt')).toBe(404)
    expect(await rawGet('/..%2fsecret.txt')).toBe(403)
    expect(await rawGet('/models%2f..%2f..%2fsecret.txt')).toBe(403)
    expect(await rawGet('/assets/%E0%A4%A')).toBe(403) // not a URL encoding: refused, not a crash
    const missing = await fetch(`${app.url}models/tiny/vae/model.onnx`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('not found: /models/tiny/vae/model.onnx')
    expect((await fetch(app.url, { method: 'POST' })).status).toBe(405)
  })

  it('moves to the next free port when asked, and fails on a taken one otherwise', async () => {
    const blocker = createServer()
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening))
    const taken = (blocker.address() as AddressInfo).port
    try {
      await expect(serveApp({ root, host: '127.0.0.1', port: taken })).rejects.toThrow(/EADDRINUSE/)
      const next = await serveApp({ root, host: '127.0.0.1', port: taken, nextFreePort: true })
      try {
        expect(Number(new URL(next.url).port)).toBeGreaterThan(taken)
        expect((await fetch(next.url)).status).toBe(200)
      } finally {
        await next.close()
      }
    } finally {
      await new Promise((closed) => blocker.close(closed))
    }
  })
})

describe('byte ranges', () => {
  it('reads one bytes= range as [start, end), clipped to the file', () => {
    expect(parseRange('bytes=0-15', 100)).toEqual([0, 16])
    expect(parseRange('bytes=90-', 100)).toEqual([90, 100])
    expect(parseRange('bytes=90-500', 100)).toEqual([90, 100])
    expect(parseRange('bytes=-10', 100)).toEqual([90, 100])
    expect(parseRange('bytes=-500', 100)).toEqual([0, 100])
  })

  it('refuses ranges past the end or backwards, and ignores what it does not read (the whole file is sent)', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=20-10', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable')
    expect(parseRange(undefined, 100)).toBeUndefined()
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined()
    expect(parseRange('items=0-1', 100)).toBeUndefined()
    expect(parseRange('bytes=-', 100)).toBeUndefined()
  })
})
