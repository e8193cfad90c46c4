import { describe, expect, it } from 'vitest'
import { backendBadge, chooseBackend, classifyAdapter, type AdapterProbe } from '../../src/runtime/adapter.js'
import { loadingStage, modelLabel } from '../../src/worker/stage-label.js'

// Adapter infos as browsers report them (GPUAdapter.info).
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' }
const LLVMPIPE = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' }
const BASIC_RENDER = { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' }
const NVIDIA = { vendor: 'nvidia', architecture: 'ampere', device: '', description: '' }
const INTEL = { vendor: 'intel', architecture: 'gen-12lp', device: '', description: 'Intel(R) UHD Graphics 630' }

describe('classifyAdapter', () => {
  it.each([
    ['SwiftShader', SWIFTSHADER],
    ['llvmpipe', LLVMPIPE],
    ['Microsoft Basic Render Driver', BASIC_RENDER],
    ['lavapipe', { vendor: 'mesa', description: 'lavapipe' }],
    ['WARP', { vendor: 'microsoft', architecture: 'WARP' }],
  ])('names %s as a software adapter, with the evidence', (name, info) => {
    const found = classifyAdapter(info)
    expect(found).toMatchObject({ software: true, name })
    expect(found.evidence).toMatch(/adapter info names/)
  })

  it('counts a fallback adapter as software even when its name is unknown', () => {
    expect(classifyAdapter({ vendor: 'acme', isFallbackAdapter: true })).toMatchObject({ software: true, name: 'acme', evidence: expect.stringMatching(/fallback/) })
  })

  it('leaves hardware adapters alone and names them briefly', () => {
    expect(classifyAdapter(NVIDIA)).toEqual({ software: false, name: 'nvidia ampere' })
    expect(classifyAdapter({ ...INTEL, isFallbackAdapter: false })).toEqual({ software: false, name: 'Intel(R) UHD Graphics 630' })
    expect(classifyAdapter({})).toEqual({ software: false, name: 'unnamed adapter' })
    expect(classifyAdapter({ description: 'x'.repeat(80) }).name).toHaveLength(32)
  })

  it('does not take a word containing "warp" for WARP', () => {
    expect(classifyAdapter({ description: 'Warpdrive GPU 9000' }).software).toBe(false)
  })
})

describe('chooseBackend', () => {
  const software: AdapterProbe = { kind: 'adapter', info: SWIFTSHADER }
  const hardware: AdapterProbe = { kind: 'adapter', info: NVIDIA }

  it('Auto prefers WASM over a software adapter and says why', () => {
    const choice = chooseBackend('auto', software)
    expect(choice.backend).toBe('wasm')
    expect(choice.adapter?.name).toBe('SwiftShader')
    expect(choice.reason).toMatch(/software-only.*so WASM/)
    expect(backendBadge(choice, 'auto')).toBe('wasm · SwiftShader is software')
  })

  it('Auto takes a hardware adapter', () => {
    const choice = chooseBackend('auto', hardware)
    expect(choice).toMatchObject({ backend: 'webgpu', reason: 'Auto: hardware WebGPU adapter "nvidia ampere"' })
    expect(backendBadge(choice, 'auto')).toBe('webgpu · nvidia ampere')
  })

  it('honours an explicit WebGPU choice on a software adapter, with a warning', () => {
    const choice = chooseBackend('webgpu', software)
    expect(choice.backend).toBe('webgpu')
    expect(choice.reason).toMatch(/chosen in Settings.*software adapter.*slower/)
    expect(backendBadge(choice, 'webgpu')).toBe('webgpu · SwiftShader')
  })

  it('falls back to WASM without an adapter, saying there is none', () => {
    expect(chooseBackend('webgpu', { kind: 'no-adapter' })).toMatchObject({ backend: 'wasm', reason: expect.stringContaining('no WebGPU adapter') })
    expect(chooseBackend('auto', { kind: 'no-webgpu' })).toMatchObject({ backend: 'wasm', reason: expect.stringContaining('navigator.gpu is absent') })
    expect(backendBadge(chooseBackend('auto', { kind: 'no-adapter' }), 'auto')).toBe('wasm')
  })

  it('uses WASM when chosen, whatever the adapter', () => {
    const choice = chooseBackend('wasm', hardware)
    expect(choice).toMatchObject({ backend: 'wasm', reason: 'WASM chosen in Settings' })
    expect(backendBadge(choice, 'wasm')).toBe('wasm')
  })
})

describe('loading stage labels', () => {
  it('names pipeline components and falls back to the file name', () => {
    expect(modelLabel('http://localhost/models/tiny-sd15/text_encoder/model.onnx')).toBe('text encoder')
    expect(modelLabel('sdxl/text_encoder_2/model.onnx')).toBe('text encoder 2')
    expect(modelLabel('tiny-sd15/unet/model.onnx#lora(unet)[0:live:x]')).toBe('UNet')
    expect(modelLabel('C:\\models\\x\\vae_decoder\\model.onnx')).toBe('VAE decoder')
    expect(modelLabel('reward/aesthetic.onnx')).toBe('aesthetic.onnx')
    expect(loadingStage('m/unet/model.onnx')).toBe('Loading UNet…')
    expect(loadingStage('m/unet/model.onnx#lora(unet)[0:live:loras/x.safetensors]')).toBe('Loading UNet…')
  })
})
