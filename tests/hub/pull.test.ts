// The Hub client against the mock Hub: listing, pipeline file selection, resumable verified downloads, and the
// errors a user sees, with files written to a real folder by the CLI's store.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HubError } from '../../src/hub/errors.js'
import { listRepoFiles } from '../../src/hub/listing.js'
import { NodeRepoStore, repoFolder } from '../../src/hub/node-store.js'
import { pullRepo, type PullProgress } from '../../src/hub/pull.js'
import { selectPipelineFiles } from '../../src/hub/select.js'
import { verifyStore } from '../../src/hub/verify.js'
import { loraRepo, sd15OnnxRepo } from './fixture-repos.js'
import { sha256Hex, startMockHub, type MockHub } from './mock-hub.js'

const SD15 = 'onnx-community/stable-diffusion-v1-5-ONNX'
const LORA = 'ByteDance/Hyper-SD'
const NESTED = 'owner/pipeline-with-onnx-subfolder'
let hub: MockHub
let dir: string
beforeAll(async () => {
  // An ONNX export in a subfolder of a bigger repository (PyTorch weights at the root).
  const nested = { id: NESTED, files: [{ path: 'model_index.json', bytes: new TextEncoder().encode('{}') }, { path: 'unet/diffusion_pytorch_model.safetensors', bytes: new Uint8Array(64) }, ...sd15OnnxRepo(NESTED).files.map((f) => ({ ...f, path: `onnx/${f.path}` }))] }
  hub = await startMockHub([nested, sd15OnnxRepo(SD15), loraRepo(LORA, { 'Hyper-SD15-1step-lora.safetensors': 'loras/tiny-hyper-sd15-4step-kohya.safetensors' }), { id: 'owner/gated', gated: true, files: [{ path: 'a.onnx', bytes: new Uint8Array(4) }] }])
})
afterAll(async () => hub.close())
beforeEach(() => {
  hub.setFaults({})
  dir = mkdtempSync(join(tmpdir(), 'hypersd-pull-'))
  return () => rmSync(dir, { recursive: true, force: true })
})

const request = { fetch: (input: string, init?: RequestInit) => fetch(input, init) }
const store = (repo: string) => new NodeRepoStore(repoFolder(dir, repo))
const pull = (repo: string, files: string[] = [], extra: { retries?: number; onProgress?: (p: PullProgress) => void } = {}) =>
  pullRepo({ ...request, endpoint: hub.url, ref: { repo, revision: 'main' }, files, store: store(repo), retries: 0, ...extra })
const failureOf = async (promise: Promise<unknown>): Promise<HubError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(HubError)
  return error as HubError
}
const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort()

describe('listing and selection', () => {
  it('lists every file with its size and the LFS sha256', async () => {
    const files = await listRepoFiles(request, hub.url, { repo: SD15, revision: 'main' })
    const unet = files.find((f) => f.path === 'unet/model.onnx')!
    const bytes = readFileSync(join(import.meta.dirname, '../../public/models/tiny-sd15/unet/model.onnx'))
    expect(unet.size).toBe(bytes.length)
    expect(unet.sha256).toBe(sha256Hex(bytes))
  })

  it('picks the ONNX pipeline and its configs, never the PyTorch weights beside them', async () => {
    const chosen = selectPipelineFiles(await listRepoFiles(request, hub.url, { repo: SD15, revision: 'main' })).map((f) => f.path)
    expect(chosen).toContain('model_index.json')
    expect(chosen).toContain('unet/model.onnx')
    expect(chosen).toContain('tokenizer/vocab.json')
    expect(chosen.filter((p) => /safetensors|\.bin$|\.ckpt$|README/.test(p))).toEqual([])
  })
})

describe('pull', () => {
  it('downloads the pipeline files, verified, into DIR/OWNER/REPO, and a second pull fetches nothing', async () => {
    const seen: PullProgress[] = []
    const first = await pull(SD15, [], { onProgress: (p) => seen.push(p) })
    const root = repoFolder(dir, SD15)
    expect(filesUnder(root)).toEqual([...first.downloaded, '.hypersd-download.json'].sort())
    expect(readFileSync(join(root, 'unet/model.onnx'))).toEqual(readFileSync(join(import.meta.dirname, '../../public/models/tiny-sd15/unet/model.onnx')))
    expect(seen.at(-1)!.loaded).toBe(seen.at(-1)!.total)
    const requestsBefore = hub.requests.length
    const second = await pull(SD15)
    expect(second.downloaded).toEqual([])
    expect(hub.requests.slice(requestsBefore).filter((r) => r.url.includes('/resolve/'))).toEqual([])
    expect((await verifyStore(store(SD15))).ok).toBe(true)
  })

  it('pulls the pipeline in a subfolder only, to DIR/OWNER/REPO/<path in the repository>', async () => {
    const result = await pullRepo({ ...request, endpoint: hub.url, ref: { repo: NESTED, revision: 'main', subfolder: 'onnx' }, store: store(NESTED), retries: 0 })
    expect(result.downloaded).toContain('onnx/unet/model.onnx')
    expect(result.downloaded.every((path) => path.startsWith('onnx/') && !/safetensors|\.bin$|README/.test(path))).toBe(true)
    const root = repoFolder(dir, NESTED)
    expect(filesUnder(root)).toEqual([...result.downloaded, '.hypersd-download.json'].sort())
    expect(readFileSync(join(root, 'onnx', 'unet', 'model.onnx'))).toEqual(readFileSync(join(import.meta.dirname, '../../public/models/tiny-sd15/unet/model.onnx')))
  })

  it('resumes a cut download with a Range request from the bytes kept', async () => {
    const file = 'Hyper-SD15-1step-lora.safetensors'
    hub.setFaults({ cut: [{ file, afterBytes: 50_000 }] })
    const seen: PullProgress[] = []
    const error = await failureOf(pull(LORA, [file], { onProgress: (p) => seen.push(p) }))
    expect(error.kind).toBe('network')
    expect(error.message).toMatch(/kept, resume/)
    const part = join(repoFolder(dir, LORA), `${file}.part`)
    expect(statSync(part).size).toBe(50_000)
    expect(() => statSync(join(repoFolder(dir, LORA), file))).toThrow()
    // The last figure counts the bytes kept.
    expect(seen.at(-1)?.files).toEqual([expect.objectContaining({ path: file, loaded: 50_000, state: 'failed' })])
    // A pull that stops before the first new byte (an HTML page served) still counts the bytes kept.
    hub.setFaults({ htmlInstead: [file] })
    const stopped: PullProgress[] = []
    expect((await failureOf(pull(LORA, [file], { onProgress: (p) => stopped.push(p) }))).kind).toBe('html')
    expect(stopped.at(-1)).toMatchObject({ loaded: 50_000 })
    hub.setFaults({})
    await pull(LORA, [file])
    expect(hub.requests.some((r) => r.range === 'bytes=50000-' && r.status === 206)).toBe(true)
    const expected = readFileSync(join(import.meta.dirname, '../../public/models/loras/tiny-hyper-sd15-4step-kohya.safetensors'))
    expect(readFileSync(join(repoFolder(dir, LORA), file))).toEqual(expected)
  })

  it('retries a cut connection by itself when allowed', async () => {
    const file = 'Hyper-SD15-1step-lora.safetensors'
    hub.setFaults({ cut: [{ file, afterBytes: 10_000, times: 2 }] })
    const before = hub.requests.length
    await pull(LORA, [file], { retries: 2 })
    expect(hub.requests.slice(before).filter((r) => r.range?.startsWith('bytes=') && r.status === 206).length).toBe(2)
  })

  it('never leaves a complete-looking file after a hash mismatch', async () => {
    const file = 'Hyper-SD15-1step-lora.safetensors'
    hub.setFaults({ wrongSha: [file] })
    const seen: PullProgress[] = []
    const error = await failureOf(pull(LORA, [file], { onProgress: (p) => seen.push(p) }))
    expect(error.kind).toBe('hash-mismatch')
    expect(filesUnder(repoFolder(dir, LORA))).toEqual(['.hypersd-download.json'])
    // Its last figure keeps nothing of it either.
    expect(seen.at(-1)).toMatchObject({ loaded: 0, files: [expect.objectContaining({ loaded: 0, state: 'failed' })] })
  })

  it('refuses a server whose Content-Length disagrees with the size the repository lists', async () => {
    const file = 'Hyper-SD15-1step-lora.safetensors'
    const size = readFileSync(join(import.meta.dirname, '../../public/models/loras/tiny-hyper-sd15-4step-kohya.safetensors')).length
    hub.setFaults({ lieContentLength: [{ file, declared: size + 1000 }] })
    const error = await failureOf(pull(LORA, [file]))
    expect(error.kind).toBe('size-mismatch')
    expect(error.message).toMatch(new RegExp(`offers ${size + 1000} bytes, the repository lists ${size}`))
  })

  it('names the missing file, the gated repository and an HTML page served instead of a file', async () => {
    expect((await failureOf(pull(LORA, ['nope.safetensors']))).message).toMatch(/nope\.safetensors not found in ByteDance\/Hyper-SD/)
    const gated = await failureOf(pull('owner/gated'))
    expect(gated.kind).toBe('gated')
    expect(gated.message).toMatch(/owner\/gated is a gated repository/)
    hub.setFaults({ htmlInstead: ['model_index.json'] })
    const html = await failureOf(pull(SD15))
    expect(html.kind).toBe('html')
    expect(html.message).toMatch(/model_index\.json: the server sent an HTML page/)
  })

  it('an unknown revision is named as such', async () => {
    const missing = await failureOf(
      pullRepo({ ...request, endpoint: hub.url, ref: { repo: LORA, revision: 'no-such-revision' }, files: [], store: store(LORA), retries: 0 }),
    )
    expect(missing.kind).toBe('not-found')
    expect(missing.message).toMatch(/revision not found in ByteDance\/Hyper-SD/)
  })

  it('a mirror that lists names only: sizes and sha256 come from the resolve headers (X-Linked-Size, X-Linked-ETag)', async () => {
    const file = 'Hyper-SD15-1step-lora.safetensors'
    // No tree endpoint: the listing falls back to the revision's siblings, which carry no sizes.
    const mirror = { fetch: (input: string, init?: RequestInit) => (input.includes('/tree/') ? Promise.resolve(new Response('', { status: 404 })) : fetch(input, init)) }
    const pullFromMirror = () => pullRepo({ ...mirror, endpoint: hub.url, ref: { repo: LORA, revision: 'main' }, files: [file], store: store(LORA), retries: 0 })
    const result = await pullFromMirror()
    const bytes = readFileSync(join(import.meta.dirname, '../../public/models/loras/tiny-hyper-sd15-4step-kohya.safetensors'))
    expect(result.manifest.files[0]).toMatchObject({ path: file, size: bytes.length, sha256: sha256Hex(bytes), state: 'complete' })
    rmSync(join(repoFolder(dir, LORA), file))
    hub.setFaults({ wrongSha: [file] })
    expect((await failureOf(pullFromMirror())).kind).toBe('hash-mismatch')
  })

  it('verify finds a file changed on disk after the pull', async () => {
    await pull(LORA, ['Hyper-SD15-1step-lora.safetensors'])
    const path = join(repoFolder(dir, LORA), 'Hyper-SD15-1step-lora.safetensors')
    const bytes = readFileSync(path)
    bytes[100] = bytes[100]! ^ 0xff
    writeFileSync(path, bytes)
    const result = await verifyStore(store(LORA))
    expect(result.ok).toBe(false)
    expect(result.files[0]!.problem).toMatch(/^sha256 [0-9a-f]{64} instead of/)
  })
})
