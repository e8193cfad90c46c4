// The default graph run with its models over HTTP, as the browser reads the bundled ones: Load Pipeline reads the
// text encoder, UNet and VAE decoder ahead, so each model file is fetched once, in the order the run needs them, and
// the UNet's fetch starts before the text encoder's session is built instead of waiting for the sampler to ask for it.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createReadStream, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/index.js'
import type { ModelLoader } from '../../src/runtime/types.js'
import { UrlFileSource } from '../../src/models/url-files.js'
import { createCliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { ROOT, registry, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const MODELS = join(ROOT, 'public', 'models')
const requests: { method: string; path: string; at: number }[] = []
let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    requests.push({ method: req.method ?? '', path, at: performance.now() })
    const file = join(MODELS, path)
    const size = path.includes('..') ? undefined : statSync(file, { throwIfNoEntry: false })?.size
    if (size === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('Load Pipeline reads its models ahead', () => {
  it('fetches each model once, in run order, the UNet before the text encoder is ready; the LoRA once for both builds', async () => {
    const host = createCliHost({ resolver: createModelResolver(MODELS, new Map()), onImages: (output) => output.pngs.map((_, i) => ({ name: String(i) })) })
    const files = new UrlFileSource(base, { cacheName: null })
    // When the text encoder's session is ready. Without reading ahead, the UNet is only asked for once the prompt is
    // encoded, which is later still.
    let textEncoderReady = Infinity
    const sessions = {
      getOrCreate: async (key: string, load: ModelLoader) => {
        const session = await host.services.sessions.getOrCreate(key, load)
        if (key.includes('/text_encoder/')) textEncoderReady = Math.min(textEncoderReady, performance.now())
        return session
      },
    }
    const engine = new Engine({ registry, services: { ...host.services, sessions, files, resolveModel: (name: string) => name } })
    try {
      const result = await engine.run(withOverrides(shippedGraph('shapes-4step.json'), []))
      expect(result.outputs.size).toBeGreaterThan(0)
    } finally {
      await host.dispose()
    }
    const modelGets = requests.filter((r) => r.method === 'GET' && r.path.endsWith('/model.onnx'))
    expect(modelGets.map((r) => r.path)).toEqual(['/hyper-shapes/text_encoder/model.onnx', '/hyper-shapes/unet/model.onnx', '/hyper-shapes/vae_decoder/model.onnx'])
    expect(modelGets[1]!.at).toBeLessThan(textEncoderReady)
    // The LoRA is opened by the text encoder's build (to find it has no text-encoder keys) and by the UNet's: read once.
    const loraGets = requests.filter((r) => r.method === 'GET' && r.path.endsWith('.safetensors'))
    expect(loraGets.map((r) => r.path)).toEqual(['/loras/hyper-shapes-4step-refl.safetensors'])
  })
})
