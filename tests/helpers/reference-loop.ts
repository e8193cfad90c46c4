// The reference the sampler node is checked against: diffusers' text-to-image loop (DDIM trailing, seeded CPU
// noise, no CFG) written directly on bare onnxruntime, with nothing from the engine or the nodes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { createScheduler, TorchGenerator } from '../../src/sampling/index.js'

export async function referenceDdimTrailing(options: {
  /** Pipeline folder (for unet/model.onnx and scheduler/scheduler_config.json). */
  readonly folder: string
  readonly steps: number
  readonly seed: number
  readonly latentSize: readonly [number, number]
  /** Conditioning feeds: encoder_hidden_states, and for SDXL text_embeds and time_ids. */
  readonly conditioning: Record<string, ort.Tensor>
}): Promise<{ latents: Float32Array; timesteps: number[] }> {
  const unet = await ort.InferenceSession.create(join(options.folder, 'unet', 'model.onnx'))
  const config = JSON.parse(readFileSync(join(options.folder, 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>
  const scheduler = createScheduler('ddim', { ...config, timestep_spacing: 'trailing' })
  scheduler.setTimesteps(options.steps)
  const [h, w] = options.latentSize
  let x = new TorchGenerator(options.seed).randn(4 * h * w)
  for (const t of scheduler.timesteps) {
    const out = await unet.run({
      sample: new ort.Tensor('float32', scheduler.scaleModelInput(x, t), [1, 4, h, w]),
      timestep: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), [1]),
      ...options.conditioning,
    })
    x = scheduler.step(out.out_sample!.data as Float32Array, t, x)
  }
  await unet.release()
  return { latents: x, timesteps: scheduler.timesteps }
}
