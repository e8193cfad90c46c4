// The denoising loop with its tensors kept on the device (GPU buffers on WebGPU): the same random draws, timesteps
// and arithmetic as denoise.ts, but the latents, the UNet's output and the guidance never come back to JS between
// steps. Host-side work per step is a timestep, three step coefficients and, where the scheduler draws it, the noise
// (uploaded, never read back). The latents are read once at the end; every PREVIEW_EVERY steps a preview is projected
// to RGB on the device and that small image read back.
import type { DeviceTensor } from '../../src/runtime/types.js'
import type { RgbaImage } from '../../src/imaging/latent-preview.js'
import { startSampling, type DenoiseOptions } from './denoise.js'
import type { DeviceOps } from './device-ops.js'
import { assertFiniteLatents } from './finite-latents.js'

export interface DeviceUNetCall {
  (sample: DeviceTensor, t: number, batch: number, useNegative: boolean): Promise<DeviceTensor>
}

/** Steps between previews on the device loop (each one reads back a small RGB image). */
export const PREVIEW_EVERY = 4

export interface DeviceDenoiseOptions extends Omit<DenoiseOptions, 'unet' | 'onStep'> {
  readonly unet: DeviceUNetCall
  readonly ops: DeviceOps
  /** The latent's NCHW dims. */
  readonly dims: readonly number[]
  /** The preview of latents on the device (projected there) and of the final latents, already read back. */
  readonly preview: { device(latents: DeviceTensor): Promise<RgbaImage>; host(latents: Float32Array): RgbaImage }
  /** A preview every PREVIEW_EVERY steps (each a read-back of the small RGB image) and at the last step. */
  readonly onStep: (index: number, total: number, preview: RgbaImage | null) => void
}

/** Why a schedule cannot run on the device (a step that clips or thresholds x0), or undefined when it can. */
export function deviceLoopRefusal(options: Pick<DenoiseOptions, 'scheduler' | 'eta'>): string | undefined {
  const nonLinear = options.scheduler.timesteps.find((t) => options.scheduler.linearStep(t, options.eta) === undefined)
  return nonLinear === undefined ? undefined : `the ${options.scheduler.name} step clips or thresholds x0 (not a linear step)`
}

export async function denoiseOnDevice(options: DeviceDenoiseOptions): Promise<Float32Array> {
  const { scheduler, batch, ops } = options
  const { timesteps, generator, latents: start } = startSampling(options)
  const size = options.latent.length
  const dims = [...options.dims]
  let latents = await ops.device.upload({ dtype: 'float32', dims, data: start })
  const useCfg = options.cfg > 1
  try {
    for (let i = 0; i < timesteps.length; i++) {
      options.checkCancelled()
      const t = timesteps[i]!
      const eta = options.eta
      const linear = scheduler.linearStep(t, eta)
      if (!linear) throw new Error(`the ${scheduler.name} step at t=${t} is not linear; run it on the host loop`)
      const inputScale = scheduler.inputScale(t)
      const modelInput = inputScale === 1 ? latents : await ops.scale(inputScale, latents)
      let modelOutput: DeviceTensor
      try {
        if (useCfg) {
          const stacked = await ops.duplicate(modelInput)
          const both = await options.unet(stacked, t, batch * 2, true).finally(() => stacked.dispose())
          modelOutput = await ops.guidance(both, options.cfg, options.guidanceRescale).finally(() => both.dispose())
        } else {
          modelOutput = await options.unet(modelInput, t, batch, false)
        }
      } finally {
        if (modelInput !== latents) modelInput.dispose()
      }
      let stepNoise: DeviceTensor | undefined
      let next: DeviceTensor
      try {
        options.checkCancelled()
        if (scheduler.needsNoise(t, eta)) stepNoise = await ops.device.upload({ dtype: 'float32', dims, data: generator.randn(size) })
        next = await ops.axpy(linear.sample, latents, linear.modelOutput, modelOutput, linear.noise, stepNoise)
      } finally {
        modelOutput.dispose()
        stepNoise?.dispose()
      }
      latents.dispose()
      latents = next
      const last = i === timesteps.length - 1
      if (!last) options.onStep(i, timesteps.length, (i + 1) % PREVIEW_EVERY === 0 ? await options.preview.device(latents) : null)
    }
    const final = (await latents.read()).data as Float32Array
    assertFiniteLatents(final, timesteps.length - 1, timesteps.length, timesteps[timesteps.length - 1]!)
    options.onStep(timesteps.length - 1, timesteps.length, options.preview.host(final))
    return final
  } finally {
    latents.dispose()
  }
}
