// The memory preflight refuses a model that cannot fit the backend before onnxruntime allocates anything, with a
// message naming the file, the backend and what to use instead; a provider it refuses is skipped for the next.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { createOrtSession, type OrtPackage } from '../../src/runtime/ort-session.js'
import { PreflightError, WASM_HEAP_LIMIT, estimateSessionBytes, preflightRefusal } from '../../src/runtime/preflight.js'

const GiB = 2 ** 30
const TEXT_ENCODER = join(import.meta.dirname, '..', '..', 'public', 'models', 'tiny-sd15', 'text_encoder', 'model.onnx')
const wasmHeap = { bytes: WASM_HEAP_LIMIT, what: 'the 4 GB wasm32 heap' }

/** A stand-in for a file of `bytes` bytes that allocates nothing (preflight only reads byteLength). */
const sized = (key: string, bytes: number) => ({ key, bytes: { byteLength: bytes } as Uint8Array })

describe('memory preflight', () => {
  it('refuses a 3.4 GB fp32 SD1.5 UNet on WASM and says what to use instead', () => {
    expect(preflightRefusal(sized('sd15/unet/model.onnx', 3.44 * GiB), 'wasm', wasmHeap)?.message).toMatch(
      /sd15\/unet\/model\.onnx: a 3\.4 GB model needs about 14 GB to load on wasm, more than the 4 GB wasm32 heap; use the WebGPU backend/,
    )
  })

  it('lets a model through on WebGPU that WASM refuses (WASM unpacks the weights in the heap too)', () => {
    const model = sized('unet/model.onnx', 2.5 * GiB)
    expect(preflightRefusal(model, 'webgpu', wasmHeap)).toBeUndefined()
    expect(preflightRefusal(model, 'wasm', wasmHeap)).toBeInstanceOf(PreflightError)
    // The fp16 SD1.5 UNet (1.6 GiB) and SDXL text encoder 2 (1.29 GiB) failed in Chromium's WASM with
    // std::bad_alloc: the preflight refuses both.
    expect(preflightRefusal(sized('unet/model.onnx', 1.6 * GiB), 'wasm', wasmHeap)?.message).toMatch(/a 1\.6 GB model needs about 6\.7 GB to load on wasm/)
    expect(preflightRefusal(sized('text_encoder_2/model.onnx', 1.29 * GiB), 'wasm', wasmHeap)).toBeInstanceOf(PreflightError)
    expect(preflightRefusal(sized('text_encoder/model.onnx', 0.23 * GiB), 'wasm', wasmHeap)).toBeUndefined()
  })

  it('counts external data with the model file', () => {
    const withData = { key: 'unet/model.onnx', bytes: { byteLength: 1e6 } as Uint8Array, externalData: [{ path: 'model.onnx_data', data: { byteLength: 5 * GiB } as Uint8Array }] }
    expect(preflightRefusal(withData, 'webgpu', wasmHeap)?.message).toMatch(/a 5\.0 GB model/)
    expect(estimateSessionBytes(GiB, 'wasm')).toBeGreaterThan(estimateSessionBytes(GiB, 'webgpu'))
    // onnxruntime-node opening the file itself saves the JS copy: 3.9x instead of 5.2x (measured 3.8x and 5.2x).
    expect(estimateSessionBytes(GiB, 'cpu', 'file')).toBeCloseTo(3.9 * GiB + 0.25 * GiB)
    expect(estimateSessionBytes(GiB, 'cpu')).toBeCloseTo(5.2 * GiB + 0.25 * GiB)
  })

  it('skips a refused provider before onnxruntime is called, and uses the next one', async () => {
    let creates = 0
    const counting: OrtPackage = {
      Tensor: ort.Tensor,
      InferenceSession: { create: (model, options) => (creates++, typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options)) },
    }
    const source = { key: 'tiny-sd15/text_encoder/model.onnx', bytes: new Uint8Array(readFileSync(TEXT_ENCODER)) }
    const tooSmall = { bytes: 1024, what: 'a 1 KB test budget' }
    await expect(createOrtSession(counting, source, undefined, ['cpu'], () => tooSmall)).rejects.toThrowError(
      /tiny-sd15\/text_encoder\/model\.onnx: a 0\.0 GB model needs about 0\.[23] GB to load on cpu, more than a 1 KB test budget/,
    )
    expect(creates).toBe(0)
    const session = await createOrtSession(counting, source, undefined, ['cuda', 'cpu'], (ep) => (ep === 'cuda' ? tooSmall : undefined))
    expect(session.backend).toBe('cpu')
    expect(creates).toBe(1)
    await session.dispose()
  })
})
