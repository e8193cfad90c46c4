// Which onnxruntime-web build the worker loads. The default entry of 1.30 carries the WebGPU (JSEP) and WASM
// providers in one 28 MB wasm binary; the 'onnxruntime-web/wasm' entry is the CPU-only build, a 14 MB binary that
// compiles in about half the time, and compiling it is most of what the cold first image waits for on WASM. Each
// entry is its own chunk, loaded only when asked for, so a WASM worker never fetches the WebGPU build and the reverse.
// The two share one API (types.d.ts) and each has its own `env`.
import type * as OrtWeb from 'onnxruntime-web'

export type OrtModule = typeof OrtWeb

export interface OrtSettings {
  readonly numThreads: number
  /** Where the ort-wasm-*.wasm/.mjs files are served from (prefix or per-file map), when not next to the bundle. */
  readonly wasmPaths?: OrtWeb.Env.WasmPathPrefix | OrtWeb.Env.WasmFilePaths
}

/** The build for `provider`: the CPU-only one for WASM, the one that also carries WebGPU (and WASM to fall back to). */
export async function loadOrt(provider: 'webgpu' | 'wasm', settings: OrtSettings): Promise<OrtModule> {
  const ort: OrtModule = provider === 'wasm' ? await import('onnxruntime-web/wasm') : await import('onnxruntime-web')
  ort.env.wasm.numThreads = settings.numThreads
  if (settings.wasmPaths !== undefined) ort.env.wasm.wasmPaths = settings.wasmPaths
  return ort
}
