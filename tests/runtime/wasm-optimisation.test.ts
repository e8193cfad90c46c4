// Small models skip onnxruntime's graph optimiser on WASM (it was most of their session creation); large ones and
// WebGPU keep the default, and an explicit level always wins.
import { describe, expect, it } from 'vitest'
import { UNOPTIMISED_WASM_MODEL_BYTES, withWasmOptimisation } from '../../src/runtime/web.js'
import { identityModel } from '../../src/runtime/warm-up.js'
import * as ort from 'onnxruntime-web'

const source = (bytes: number, external = 0) => ({
  key: 'm',
  bytes: new Uint8Array(bytes),
  ...(external > 0 ? { externalData: [{ path: 'w.bin', data: new Uint8Array(external) }] } : {}),
})

describe('withWasmOptimisation', () => {
  it('disables graph optimisation for a small model on WASM', () => {
    expect(withWasmOptimisation(source(13e6), undefined, ['wasm'])).toEqual({ graphOptimizationLevel: 'disabled' })
    expect(withWasmOptimisation(source(1e6), { executionProviders: ['wasm'] }, ['wasm'])).toEqual({ executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' })
  })

  it('keeps the default for large models (external data counts), for WebGPU, and for an explicit level', () => {
    expect(withWasmOptimisation(source(UNOPTIMISED_WASM_MODEL_BYTES + 1), undefined, ['wasm'])).toBeUndefined()
    expect(withWasmOptimisation(source(1e6, UNOPTIMISED_WASM_MODEL_BYTES), undefined, ['wasm'])).toBeUndefined()
    expect(withWasmOptimisation(source(1e6), undefined, ['webgpu', 'wasm'])).toBeUndefined()
    expect(withWasmOptimisation(source(1e6), { graphOptimizationLevel: 'all' }, ['wasm'])).toEqual({ graphOptimizationLevel: 'all' })
  })
})

describe('the warm-up model', () => {
  it('is a valid ONNX model onnxruntime-web runs (y = x)', async () => {
    ort.env.wasm.numThreads = 1
    const session = await ort.InferenceSession.create(identityModel(), { executionProviders: ['wasm'] })
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(3.5), [1]) })
    expect(Array.from(out['y']!.data as Float32Array)).toEqual([3.5])
    await session.release()
  })
})
