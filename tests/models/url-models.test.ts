// Models hosted elsewhere: a graph may name a pipeline by its absolute URL (e.g. a hub repository serving the
// Optimum ONNX layout); the browser host resolves it as is and the folder reader fetches the files there.
import { describe, expect, it } from 'vitest'
import { UrlFileSource } from '../../src/models/url-files.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'
import { resolveModelPath } from '../../src/worker/host-services.js'

describe('models by absolute URL', () => {
  it('keeps http(s) URLs and refuses paths that climb out of the models folder', () => {
    expect(resolveModelPath('https://hub.example/org/sd15-onnx/resolve/main')).toBe('https://hub.example/org/sd15-onnx/resolve/main')
    expect(resolveModelPath('tiny-sd15')).toBe('tiny-sd15')
    expect(() => resolveModelPath('../secrets')).toThrow('not a path inside the models folder')
    expect(() => resolveModelPath('https:/../x')).toThrow('not a path inside the models folder')
  })

  it('reads a pipeline folder from another origin', async () => {
    const served = new Map<string, string>([
      ['https://hub.example/org/m/resolve/main/model_index.json', '{"_class_name":"ORTStableDiffusionPipeline"}'],
      ['https://hub.example/org/m/resolve/main/scheduler/scheduler_config.json', '{"beta_schedule":"scaled_linear"}'],
      ['https://hub.example/org/m/resolve/main/tokenizer/vocab.json', '{"a</w>":0}'],
      ['https://hub.example/org/m/resolve/main/tokenizer/merges.txt', '#version: 0.2\n'],
    ])
    const requested: string[] = []
    const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
      const url = String(input)
      requested.push(url)
      const body = served.get(url)
      return body === undefined ? new Response('missing', { status: 404 }) : new Response(body, { headers: { 'content-type': 'application/json' } })
    }
    const files = new UrlFileSource('http://127.0.0.1:5173/models/', { fetch: fetchImpl, cacheName: null })
    const folder = await readPipelineFolder(files, resolveModelPath('https://hub.example/org/m/resolve/main'))
    expect(folder.variant).toBe('sd15')
    expect(folder.unet.model.key).toBe('https://hub.example/org/m/resolve/main/unet/model.onnx')
    expect(requested.every((url) => url.startsWith('https://hub.example/org/m/resolve/main/'))).toBe(true)
  })
})
