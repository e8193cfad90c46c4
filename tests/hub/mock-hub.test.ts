// Self-test of the mock Hub: every route and fault, through Node's real fetch (undici) over 127.0.0.1.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loraRepo, pseudoRandomBytes, sd15OnnxRepo, sdxlOnnxRepo } from './fixture-repos.js'
import { sha256Hex, startMockHub, type HubRepo, type MockHub } from './mock-hub.js'

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)
const unetBytes = pseudoRandomBytes('unet', 64 * 1024)
const vocabBytes = encode(JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`tok${i}`, i]))))
const configBytes = encode('hello\n') // git hash-object of "hello\n" is a well-known id

const tinyRepo: HubRepo = {
  id: 'owner/tiny',
  files: [
    { path: 'config.json', bytes: configBytes },
    { path: 'unet/model.onnx', bytes: unetBytes },
    { path: 'unet/config.json', bytes: encode('{"sample_size":8}') },
    { path: 'unet/extra/notes.md', bytes: encode('# notes') },
    { path: 'tokenizer/vocab.json', bytes: vocabBytes },
    { path: 'big-but-plain.txt', bytes: pseudoRandomBytes('plain', 20_000), lfs: false },
  ],
}
const tinyV2: HubRepo = { id: 'owner/tiny', revision: 'v2', commit: 'a'.repeat(40), files: [{ path: 'only-in-v2.json', bytes: encode('{}') }] }
const gatedRepo: HubRepo = { id: 'owner/gated', gated: true, files: [{ path: 'config.json', bytes: encode('{}') }] }

let hub: MockHub
beforeAll(async () => {
  hub = await startMockHub([tinyRepo, tinyV2, gatedRepo])
})
afterAll(async () => hub.close())
beforeEach(() => hub.setFaults({}))

const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${hub.url}${path}`, init)
const bytesOf = async (response: Response): Promise<Uint8Array> => new Uint8Array(await response.arrayBuffer())
type TreeEntry = { type: string; oid: string; size: number; path: string; lfs?: { oid: string; size: number; pointerSize: number } }

/** Reads a body to the end or to its first error: how many bytes arrived, and whether it failed. */
async function drain(response: Response): Promise<{ received: number; failed: boolean }> {
  const reader = response.body?.getReader()
  let received = 0
  try {
    for (;;) {
      const chunk = await reader?.read()
      if (!chunk || chunk.done) return { received, failed: false }
      received += chunk.value.byteLength
    }
  } catch {
    return { received, failed: true }
  }
}

describe('tree and revision APIs', () => {
  it('lists the direct children of the root, and of a folder, without recursive', async () => {
    const root = (await (await get('/api/models/owner/tiny/tree/main')).json()) as TreeEntry[]
    expect(root.map((entry) => `${entry.type}:${entry.path}`)).toEqual([
      'file:big-but-plain.txt', 'file:config.json', 'directory:tokenizer', 'directory:unet',
    ])
    const unet = (await (await get('/api/models/owner/tiny/tree/main/unet')).json()) as TreeEntry[]
    expect(unet.map((entry) => entry.path)).toEqual(['unet/config.json', 'unet/extra', 'unet/model.onnx'])
    expect(unet.find((entry) => entry.path === 'unet/extra')).toMatchObject({ type: 'directory', size: 0 })
  })

  it('lists everything with recursive=true / 1, with LFS fields for LFS files only', async () => {
    for (const flag of ['true', '1']) {
      const entries = (await (await get(`/api/models/owner/tiny/tree/main?recursive=${flag}`)).json()) as TreeEntry[]
      const files = entries.filter((entry) => entry.type === 'file')
      expect(files.map((entry) => entry.path)).toEqual(tinyRepo.files.map((file) => file.path).sort())
      const unet = files.find((entry) => entry.path === 'unet/model.onnx')
      expect(unet).toMatchObject({ size: unetBytes.byteLength, lfs: { oid: sha256Hex(unetBytes), size: unetBytes.byteLength } })
      expect(unet?.lfs?.pointerSize).toBeGreaterThan(120)
      expect(files.find((entry) => entry.path === 'tokenizer/vocab.json')?.lfs?.oid).toBe(sha256Hex(vocabBytes)) // > 10 KiB
      const config = files.find((entry) => entry.path === 'config.json')
      expect(config).toEqual({ type: 'file', oid: 'ce013625030ba8dba906f756967f9e9ca394464a', size: 6, path: 'config.json' })
      expect(files.find((entry) => entry.path === 'big-but-plain.txt')?.lfs).toBeUndefined()
      expect(entries.every((entry) => /^[0-9a-f]{40}$/.test(entry.oid))).toBe(true)
    }
  })

  it('answers 404 with the Hub error codes for an unknown revision, repo or folder', async () => {
    const revision = await get('/api/models/owner/tiny/tree/nope')
    expect([revision.status, revision.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound'])
    expect(await revision.json()).toHaveProperty('error')
    const repo = await get('/api/models/owner/missing/tree/main')
    expect([repo.status, repo.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound'])
    const folder = await get('/api/models/owner/tiny/tree/main/nothing-here')
    expect([folder.status, folder.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound'])
  })

  it('gives the commit and siblings of a revision, the default branch, or a commit id', async () => {
    const main = (await (await get('/api/models/owner/tiny/revision/main')).json()) as { id: string; sha: string; siblings: { rfilename: string }[] }
    expect(main.id).toBe('owner/tiny')
    expect(main.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(main.siblings.map((sibling) => sibling.rfilename)).toEqual(tinyRepo.files.map((file) => file.path).sort())
    expect(((await (await get('/api/models/owner/tiny')).json()) as { sha: string }).sha).toBe(main.sha)
    const v2 = (await (await get(`/api/models/owner/tiny/revision/${'a'.repeat(40)}`)).json()) as { sha: string; siblings: unknown[] }
    expect(v2).toMatchObject({ sha: 'a'.repeat(40), siblings: [{ rfilename: 'only-in-v2.json' }] })
  })
})

describe('resolve downloads', () => {
  it('redirects an LFS file to the CDN with X-Linked-ETag / X-Linked-Size, and the CDN serves its bytes', async () => {
    const sha = sha256Hex(unetBytes)
    const redirect = await get('/owner/tiny/resolve/main/unet/model.onnx', { redirect: 'manual' })
    expect(redirect.status).toBe(302)
    expect(new URL(redirect.headers.get('location') ?? '', hub.url).pathname).toBe(`/cdn/${sha}/model.onnx`)
    expect(redirect.headers.get('x-linked-etag')).toBe(`"${sha}"`)
    expect(redirect.headers.get('x-linked-size')).toBe(String(unetBytes.byteLength))
    expect(redirect.headers.get('etag')).toBe(`"${sha}"`)
    expect(redirect.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/)
    const followed = await get('/owner/tiny/resolve/main/unet/model.onnx')
    expect([followed.status, followed.redirected, followed.headers.get('etag')]).toEqual([200, true, `"${sha}"`])
    expect(followed.headers.get('content-length')).toBe(String(unetBytes.byteLength))
    expect(await bytesOf(followed)).toEqual(unetBytes)
    const head = await get('/owner/tiny/resolve/main/unet/model.onnx', { method: 'HEAD', redirect: 'manual' })
    expect([head.status, head.headers.get('x-linked-size')]).toEqual([302, String(unetBytes.byteLength)])
  })

  it('serves a plain file directly with its git blob id as ETag', async () => {
    const response = await get('/owner/tiny/resolve/main/config.json', { redirect: 'manual' })
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe('"ce013625030ba8dba906f756967f9e9ca394464a"')
    expect(response.headers.get('accept-ranges')).toBe('bytes')
    expect(response.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/)
    expect(await bytesOf(response)).toEqual(configBytes)
    const v2 = await get('/owner/tiny/resolve/v2/only-in-v2.json')
    expect([v2.status, v2.headers.get('x-repo-commit')]).toEqual([200, 'a'.repeat(40)])
  })

  it('honours Range (206 + Content-Range), refuses a range past the end (416), and If-Range', async () => {
    const sha = sha256Hex(unetBytes)
    const total = unetBytes.byteLength
    const middle = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: 'bytes=100-199' } })
    expect([middle.status, middle.headers.get('content-range'), middle.headers.get('content-length')]).toEqual([206, `bytes 100-199/${total}`, '100'])
    expect(await bytesOf(middle)).toEqual(unetBytes.subarray(100, 200))
    const tail = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: `bytes=${total - 10}-` } })
    expect([tail.status, tail.headers.get('content-range')]).toEqual([206, `bytes ${total - 10}-${total - 1}/${total}`])
    expect(await bytesOf(tail)).toEqual(unetBytes.subarray(total - 10))
    const plain = await get('/owner/tiny/resolve/main/config.json', { headers: { Range: 'bytes=1-' } })
    expect([plain.status, new TextDecoder().decode(await bytesOf(plain))]).toEqual([206, 'ello\n'])
    const past = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: `bytes=${total}-` } })
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${total}`])
    const stale = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: 'bytes=10-', 'If-Range': '"0000"' } })
    expect([stale.status, (await bytesOf(stale)).byteLength]).toEqual([200, total])
    const fresh = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: 'bytes=10-', 'If-Range': `"${sha}"` } })
    expect([fresh.status, (await bytesOf(fresh)).byteLength]).toEqual([206, total - 10])
  })

  it('answers a missing file with an HTML 404 and X-Error-Code EntryNotFound', async () => {
    const response = await get('/owner/tiny/resolve/main/unet/nope.onnx')
    expect([response.status, response.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound'])
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await response.text()).toMatch(/^<!doctype html>.*404/s)
    const revision = await get('/owner/tiny/resolve/nope/config.json')
    expect([revision.status, revision.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound'])
  })

  it('answers 401 GatedRepo on every route of a gated repo', async () => {
    const routes = ['/owner/gated/resolve/main/config.json', '/api/models/owner/gated/tree/main', '/api/models/owner/gated/revision/main']
    for (const path of [...routes, '/api/models/owner/gated']) {
      const response = await get(path)
      expect([response.status, response.headers.get('x-error-code')]).toEqual([401, 'GatedRepo'])
      expect(await response.json()).toEqual({ error: 'Access to model owner/gated is restricted. You must be authenticated to access it.' })
    }
  })
})

describe('faults', () => {
  it('cuts the connection mid-file as many times as asked, then serves normally', async () => {
    hub.setFaults({ cut: [{ file: 'unet/model.onnx', afterBytes: 5000, times: 2 }, { file: 'owner/tiny/config.json', afterBytes: 2 }] })
    for (let attempt = 0; attempt < 2; attempt++) {
      const cut = await drain(await get('/owner/tiny/resolve/main/unet/model.onnx'))
      expect(cut.failed).toBe(true)
      expect(cut.received).toBeLessThan(unetBytes.byteLength)
    }
    const plainCut = await drain(await get('/owner/tiny/resolve/main/config.json'))
    expect(plainCut).toEqual({ received: 2, failed: true })
    expect(await bytesOf(await get('/owner/tiny/resolve/main/unet/model.onnx'))).toEqual(unetBytes)
    expect(await bytesOf(await get('/owner/tiny/resolve/main/config.json'))).toEqual(configBytes)
  })

  it('cuts a ranged request too, counting from the start of the range', async () => {
    hub.setFaults({ cut: [{ file: 'unet/model.onnx', afterBytes: 0 }] })
    const cut = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: 'bytes=1000-' } })
    expect(cut.status).toBe(206)
    expect(await drain(cut)).toEqual({ received: 0, failed: true })
  })

  it('stalls a transfer after some bytes (cut with stall): the connection stays open until the client gives up', async () => {
    hub.setFaults({ cut: [{ file: 'unet/model.onnx', afterBytes: 1000, stall: true }] })
    const controller = new AbortController()
    const response = await get('/owner/tiny/resolve/main/unet/model.onnx', { signal: controller.signal })
    expect(response.headers.get('content-length')).toBe(String(unetBytes.byteLength))
    const reader = response.body!.getReader()
    let received = 0
    while (received < 1000) received += (await reader.read()).value?.byteLength ?? NaN
    expect(received).toBe(1000)
    const next = reader.read()
    controller.abort()
    await expect(next).rejects.toThrow()
    expect(await bytesOf(await get('/owner/tiny/resolve/main/unet/model.onnx'))).toEqual(unetBytes)
  })

  it('declares a wrong Content-Length: the client gets fewer bytes than declared, or an error', async () => {
    hub.setFaults({ lieContentLength: [{ file: 'unet/model.onnx', declared: unetBytes.byteLength + 1000 }, { file: 'config.json', declared: 3 }] })
    const longer = await get('/owner/tiny/resolve/main/unet/model.onnx')
    expect(longer.headers.get('content-length')).toBe(String(unetBytes.byteLength + 1000))
    const result = await drain(longer)
    expect(result.failed || result.received < unetBytes.byteLength + 1000).toBe(true)
    const shorter = await get('/owner/tiny/resolve/main/config.json')
    const shortResult = await drain(shorter)
    expect(shortResult.failed || shortResult.received <= 3).toBe(true)
  })

  it('serves a login page instead of the file (htmlInstead)', async () => {
    hub.setFaults({ htmlInstead: ['unet/model.onnx'] })
    const response = await get('/owner/tiny/resolve/main/unet/model.onnx')
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8'])
    expect(await response.text()).toMatch(/^<!doctype html>/)
  })

  it('ignores Range when the server has no range support (noRange)', async () => {
    hub.setFaults({ noRange: ['owner/tiny/unet/model.onnx'] })
    const response = await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: 'bytes=100-' } })
    expect([response.status, response.headers.get('content-range')]).toEqual([200, null])
    expect(await bytesOf(response)).toEqual(unetBytes)
  })

  it('advertises a wrong sha256 in the tree, X-Linked-ETag and the CDN ETag (wrongSha)', async () => {
    hub.setFaults({ wrongSha: ['unet/model.onnx', 'config.json'] })
    const real = sha256Hex(unetBytes)
    const tree = (await (await get('/api/models/owner/tiny/tree/main/unet')).json()) as TreeEntry[]
    const advertised = tree.find((entry) => entry.path === 'unet/model.onnx')?.lfs?.oid
    expect(advertised).toMatch(/^[0-9a-f]{64}$/)
    expect(advertised).not.toBe(real)
    const redirect = await get('/owner/tiny/resolve/main/unet/model.onnx', { redirect: 'manual' })
    expect(redirect.headers.get('x-linked-etag')).toBe(`"${advertised}"`)
    const followed = await get('/owner/tiny/resolve/main/unet/model.onnx')
    expect(followed.headers.get('etag')).toBe(`"${advertised}"`)
    expect(sha256Hex(await bytesOf(followed))).toBe(real) // the bytes are right, the hash is not
    const plain = await get('/owner/tiny/resolve/main/config.json')
    expect(plain.headers.get('etag')).not.toBe('"ce013625030ba8dba906f756967f9e9ca394464a"')
  })

  it('acts as a mirror without the tree API (noTree): a bare 404 there, siblings and resolve as before', async () => {
    hub.setFaults({ noTree: true })
    const tree = await get('/api/models/owner/tiny/tree/main')
    expect([tree.status, tree.headers.get('x-error-code')]).toEqual([404, null])
    const info = (await (await get('/api/models/owner/tiny/revision/main')).json()) as { siblings: { rfilename: string }[] }
    expect(info.siblings.map((s) => s.rfilename)).toContain('unet/model.onnx')
    expect((await get('/owner/tiny/resolve/main/unet/model.onnx')).status).toBe(200)
  })
})

describe('CORS and the request log', () => {
  it('sends CORS, CORP and no-store on every response, and answers preflights', async () => {
    for (const path of ['/owner/tiny/resolve/main/config.json', '/owner/tiny/resolve/main/missing', '/api/models/owner/tiny/tree/main']) {
      const response = await get(path)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-expose-headers')).toContain('X-Linked-ETag')
      expect(response.headers.get('access-control-expose-headers')).toContain('Content-Range')
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
      expect(response.headers.get('cache-control')).toBe('no-store')
    }
    const preflight = await get('/owner/tiny/resolve/main/unet/model.onnx', {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:1', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Range')
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS')
  })

  it('logs method, path with query, Range and status of every request', async () => {
    const before = hub.requests.length
    await (await get('/api/models/owner/tiny/tree/main?recursive=true')).arrayBuffer()
    await (await get('/owner/tiny/resolve/main/unet/model.onnx', { headers: { Range: 'bytes=0-9' } })).arrayBuffer()
    const logged = hub.requests.slice(before)
    expect(logged[0]).toEqual({ method: 'GET', url: '/api/models/owner/tiny/tree/main?recursive=true', status: 200 })
    expect(logged[1]).toEqual({ method: 'GET', url: '/owner/tiny/resolve/main/unet/model.onnx', range: 'bytes=0-9', status: 302 })
    expect(logged[2]).toMatchObject({ method: 'GET', range: 'bytes=0-9', status: 206 })
    expect(logged[2]?.url).toMatch(/^\/cdn\/[0-9a-f]{64}\/model\.onnx\?repo=owner%2Ftiny/)
  })
})

describe('fixture repos', () => {
  it('builds the SD1.5 ONNX export with the PyTorch decoys, and a LoRA repo, as servable repos', async () => {
    const sd15 = sd15OnnxRepo('someone/tiny-sd15-onnx')
    const paths = sd15.files.map((file) => file.path)
    const onnx = ['model_index.json', 'unet/model.onnx', 'unet/model.onnx_data', 'text_encoder/model.onnx', 'tokenizer/vocab.json']
    const pytorch = ['unet/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors', 'vae_decoder/diffusion_pytorch_model.bin', 'v1-5-pruned.ckpt']
    expect(paths).toEqual(expect.arrayContaining([...onnx, ...pytorch, 'README.md']))
    const sdxl = sdxlOnnxRepo('someone/tiny-sdxl-onnx', 'onnx')
    expect(sdxl.revision).toBe('onnx')
    expect(sdxl.files.map((file) => file.path)).toEqual(expect.arrayContaining(['text_encoder_2/model.onnx', 'tokenizer_2/vocab.json', ...pytorch]))
    const lora = loraRepo('ByteDance/Hyper-SD', { 'Hyper-SD15-1step-lora.safetensors': 'loras/tiny-hyper-sd15-4step-kohya.safetensors' })
    expect(lora.files.map((file) => file.path)).toEqual(['Hyper-SD15-1step-lora.safetensors', 'README.md'])
    const fixtureHub = await startMockHub([sd15, lora])
    try {
      const index = await fetch(`${fixtureHub.url}/someone/tiny-sd15-onnx/resolve/main/model_index.json`)
      expect(JSON.parse(await index.text())).toHaveProperty('_class_name')
      const loraFile = lora.files[0]
      const downloaded = await bytesOf(await fetch(`${fixtureHub.url}/ByteDance/Hyper-SD/resolve/main/Hyper-SD15-1step-lora.safetensors`))
      expect(createHash('sha256').update(downloaded).digest('hex')).toBe(sha256Hex(loraFile?.bytes ?? new Uint8Array()))
    } finally {
      await fixtureHub.close()
    }
  })
})
