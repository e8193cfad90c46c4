// The README's main command: `npm start` builds the app once (scripts/app/build.ts) and serves the build
// (scripts/app/serve.ts; its own tests: tests/tooling/serve.test.ts). Started here as a user starts it, on a free
// port, building into a new folder: the build links public/models instead of copying it, a second start reuses the
// build, and the server is cross-origin isolated, sends model files as they are (not gzipped on the fly, with their
// length, ranges answered), and Run gives the default graph's image.
import { spawn, type ChildProcess } from 'node:child_process'
import { lstatSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isBuildCurrent } from '../../scripts/app/build.js'
import { appForSuite, runOnce } from './harness.js'
import type { StaticServer } from './static-server.js'

const ROOT = resolve(import.meta.dirname, '../..')
const UNET = 'models/hyper-shapes/unet/model.onnx'
const output: string[] = []
let outDir = ''

/** `npm start -- --port 0 --out-dir DIR`, until it prints its URL. */
async function npmStart(): Promise<StaticServer> {
  outDir ||= mkdtempSync(join(tmpdir(), 'hypersd-start-'))
  output.length = 0
  const child: ChildProcess = spawn('npm', ['start', '--', '--port', '0', '--out-dir', outDir], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const url = await new Promise<string>((found, failed) => {
    const timer = setTimeout(() => failed(new Error(`npm start printed no URL in 150 s:\n${output.join('')}`)), 150_000)
    const read = (chunk: Buffer) => {
      output.push(chunk.toString())
      const match = /Hyper-SD Studio: (http:\/\/\S+)/.exec(output.join(''))
      if (match) {
        clearTimeout(timer)
        found(match[1]!)
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.on('exit', (code) => failed(new Error(`npm start exited (${code}):\n${output.join('')}`)))
  })
  return {
    url,
    close: async () => {
      process.kill(-child.pid!, 'SIGTERM') // npm, its shell and the server: one process group
      await new Promise((done) => child.once('exit', done))
    },
  }
}

describe('npm start', () => {
  const app = appForSuite({ serve: npmStart })

  it('serves the built app cross-origin isolated, model files as they are, and Run gives the default graph an image', async () => {
    const { page } = app
    const url = page.url().split('?')[0]!
    expect(output.join('')).toMatch(/Built the app in [\d.]+ s\./)
    expect(lstatSync(join(outDir, 'models')).isSymbolicLink()).toBe(true)
    expect(await isBuildCurrent(ROOT, outDir, { liveModels: true })).toBe(true)

    const index = await fetch(url)
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    // A browser asks for gzip; a 17 MB model must come back whole and uncompressed, with its length.
    const size = statSync(join(outDir, UNET)).size
    const model = await fetch(`${url}${UNET}`, { headers: { 'accept-encoding': 'gzip' } })
    expect(model.headers.get('content-encoding')).toBeNull()
    expect(model.headers.get('content-length')).toBe(String(size))
    expect((await model.arrayBuffer()).byteLength).toBe(size)
    const range = await fetch(`${url}${UNET}`, { headers: { range: 'bytes=0-15', 'accept-encoding': 'gzip' } })
    expect(range.status).toBe(206)
    expect((await range.arrayBuffer()).byteLength).toBe(16)

    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    await expect(page.locator('[data-testid=output-image]').getAttribute('src')).resolves.toMatch(/^blob:/)
    expect(app.errors).toEqual([])
  })

  it('a second start reuses the build', async () => {
    const again = await npmStart()
    try {
      expect(output.join('')).toContain('The build is up to date.')
      expect((await fetch(again.url)).status).toBe(200)
    } finally {
      await again.close()
      rmSync(outDir, { recursive: true, force: true }) // the link goes, public/models stays
    }
    expect(statSync(join(ROOT, UNET.replace('models/', 'public/models/'))).isFile()).toBe(true)
  })
})
