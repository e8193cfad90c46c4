// Issue 14 §9 path escape: an ONNX external-data location "%2e%2e/%2e%2e/..." passed the path check, and a browser
// fetch resolves "%2e%2e" to "..". The check now decodes, normalises, then checks, refusing encoded traversal, on
// the one code path both the CLI (NodeFileSource) and the browser (URL sources) load models through.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { modelPath } from '../../src/models/catalog/routing.js'
import { pipelineModel } from '../../src/models/model-files.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { decodeModel, encodeModel, externalizeInitializers } from '../../src/models/onnx/index.js'
import { relativePathProblem } from '../../src/models/relative-path.js'
import { ROOT } from '../cli/run-cli.js'

describe('external-data path escape (issue 14 §9)', () => {
  it('a browser URL resolves %2e%2e as ..: this is the escape being closed', () => {
    expect(new URL('models/tiny/unet/%2e%2e/%2e%2e/%2e%2e/secret', 'https://example.test/app/').pathname).toBe('/app/secret')
  })

  it.each([
    ['%2e%2e/%2e%2e/etc/passwd', /percent-encoded path character/],
    ['%2E%2E/x', /percent-encoded path character/],
    ['%252e%252e/x', /percent-encoded path character/],
    ['..%2fsecret', /percent-encoded path character/],
    ['a%5c..%5c..%5cb', /percent-encoded path character/],
    ['%zz', /malformed percent-encoding/],
    ['../model.onnx_data', /climbs out/],
    ['sub\\..\\..\\x', /climbs out/],
    ['/etc/passwd', /absolute path/],
    ['C:\\weights.bin', /drive or URL scheme/],
    ['https://evil.test/w.bin', /drive or URL scheme/],
  ])('refuses %s', (location, why) => {
    expect(relativePathProblem(location)).toMatch(why)
  })

  it.each(['model.onnx_data', 'weights/unet.bin', 'my%20weights.bin', './model.onnx_data'])('accepts %s', (location) => {
    expect(relativePathProblem(location)).toBeUndefined()
  })

  it('pipelineModel refuses an encoded traversal in a real model before reading anything', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(join(ROOT, 'public/models/tiny-sd15/vae_decoder/model.onnx'))))
    const blob = externalizeInitializers(model, { location: '%2e%2e/%2e%2e/secret.bin' })
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-escape-'))
    mkdirSync(join(dir, 'pipe', 'vae_decoder'), { recursive: true })
    writeFileSync(join(dir, 'pipe', 'vae_decoder', 'model.onnx'), encodeModel(model))
    // The file the decoded location points at exists, so only the check stands between the load and it.
    writeFileSync(join(dir, 'secret.bin'), blob)
    const source = pipelineModel(new NodeFileSource(dir), 'pipe/vae_decoder')
    await expect(source.load()).rejects.toThrow(/external data location "%2e%2e\/%2e%2e\/secret\.bin" is outside the model folder: it holds a percent-encoded path character/)
  })

  it('model names with an encoded traversal are refused too', () => {
    expect(() => modelPath('%2e%2e/%2e%2e/secret')).toThrow(/is not a path inside the models folder/)
    expect(modelPath('tiny-sd15/unet/model.onnx')).toBe('tiny-sd15/unet/model.onnx')
  })
})
