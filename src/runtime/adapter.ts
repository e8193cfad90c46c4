// Telling software WebGPU adapters (CPU emulation: SwiftShader, llvmpipe, WARP) from hardware ones, and choosing the
// backend from that. A software adapter runs the same kernels on the CPU through an emulated GPU: a run measured
// 127 s on SwiftShader against 13-15 s on the WASM backend, so Auto must not pick it.

import type { GpuBufferLimits } from './gpu-limits.js'

/** The fields of GPUAdapterInfo (and the adapter's own isFallbackAdapter) read here; all optional across browsers. */
export interface AdapterInfoLike {
  readonly vendor?: string
  readonly architecture?: string
  readonly device?: string
  readonly description?: string
  readonly isFallbackAdapter?: boolean
}

export interface AdapterClass {
  /** True for adapters that emulate a GPU on the CPU. */
  readonly software: boolean
  /** A short name for the badge ("SwiftShader", "nvidia ampere"). */
  readonly name: string
  /** Why it counts as software, when it does. */
  readonly evidence?: string
}

/** Known CPU rasterisers, matched in any of the info's text fields. */
const SOFTWARE_RENDERERS: readonly { readonly pattern: RegExp; readonly name: string }[] = [
  { pattern: /swift\s*shader/i, name: 'SwiftShader' },
  { pattern: /llvmpipe/i, name: 'llvmpipe' },
  { pattern: /lavapipe/i, name: 'lavapipe' },
  { pattern: /softpipe/i, name: 'softpipe' },
  { pattern: /microsoft basic render/i, name: 'Microsoft Basic Render Driver' },
  { pattern: /\bwarp\b/i, name: 'WARP' },
]

const MAX_NAME = 32

export function classifyAdapter(info: AdapterInfoLike): AdapterClass {
  const fields = [info.description, info.device, info.architecture, info.vendor].map((f) => (f ?? '').trim())
  const text = fields.join(' ')
  for (const renderer of SOFTWARE_RENDERERS) {
    const found = renderer.pattern.exec(text)
    if (found) return { software: true, name: renderer.name, evidence: `its adapter info names "${found[0]}"` }
  }
  const name = adapterName(info)
  if (info.isFallbackAdapter === true) return { software: true, name, evidence: 'the browser reports it as a fallback adapter' }
  return { software: false, name }
}

/** The most telling short name the info gives: the description, else vendor and architecture. */
function adapterName(info: AdapterInfoLike): string {
  const description = (info.description ?? '').trim()
  const vendorArch = [info.vendor, info.architecture].map((f) => (f ?? '').trim()).filter((f) => f.length > 0).join(' ')
  const name = description || vendorArch || (info.device ?? '').trim() || 'unnamed adapter'
  return name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name
}

export type BackendPreference = 'auto' | 'webgpu' | 'wasm'
export type ChosenBackend = 'webgpu' | 'wasm'

/** What probing navigator.gpu found. */
export type AdapterProbe =
  | { readonly kind: 'no-webgpu' }
  | { readonly kind: 'no-adapter' }
  | {
      readonly kind: 'adapter'
      readonly info: AdapterInfoLike
      readonly limits?: GpuBufferLimits
      /** Whether the adapter offers `shader-f16` (float16 kernels); onnxruntime-web's fp16 kernels need it. */
      readonly shaderF16?: boolean
    }

export interface BackendChoice {
  readonly backend: ChosenBackend
  /** The WebGPU adapter found, when one was (also when WASM was chosen over it). */
  readonly adapter?: AdapterClass
  /** One sentence: why this backend. */
  readonly reason: string
}

/** Picks the backend from the preference and the probed adapter. An explicit choice is honoured when it can be. */
export function chooseBackend(preference: BackendPreference, probe: AdapterProbe): BackendChoice {
  if (preference === 'wasm') {
    return { backend: 'wasm', ...adapterOf(probe), reason: 'WASM chosen in Settings' }
  }
  if (probe.kind !== 'adapter') {
    const missing = probe.kind === 'no-webgpu' ? 'no WebGPU adapter (navigator.gpu is absent)' : 'no WebGPU adapter (requestAdapter gave none)'
    return { backend: 'wasm', reason: preference === 'webgpu' ? `WebGPU chosen in Settings, but ${missing}; using WASM` : `Auto: ${missing}, so WASM` }
  }
  const adapter = classifyAdapter(probe.info)
  if (preference === 'webgpu') {
    const warning = adapter.software ? ` (a software adapter: ${adapter.evidence}; expect runs many times slower than WASM)` : ''
    return { backend: 'webgpu', adapter, reason: `WebGPU chosen in Settings, on adapter "${adapter.name}"${warning}` }
  }
  if (adapter.software) {
    return {
      backend: 'wasm',
      adapter,
      reason: `Auto: WebGPU adapter "${adapter.name}" is software-only (${adapter.evidence}); it emulates a GPU on the CPU and is many times slower than WASM, so WASM. Choose WebGPU in Settings to use it anyway`,
    }
  }
  return { backend: 'webgpu', adapter, reason: `Auto: hardware WebGPU adapter "${adapter.name}"` }
}

function adapterOf(probe: AdapterProbe): { adapter?: AdapterClass } {
  return probe.kind === 'adapter' ? { adapter: classifyAdapter(probe.info) } : {}
}

/** The badge's short text: the backend, and the adapter when it matters (in use, or passed over). */
export function backendBadge(choice: Pick<BackendChoice, 'backend' | 'adapter'>, preference: BackendPreference): string {
  if (!choice.adapter || preference === 'wasm') return choice.backend
  if (choice.backend === 'webgpu') return `webgpu · ${choice.adapter.name}`
  return `wasm · ${choice.adapter.name} is software`
}
