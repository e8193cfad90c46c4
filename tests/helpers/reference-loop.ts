// The reference the sampler node is checked against: diffusers' text-to-image loop (DDIM trailing, seeded CPU
// noise, optional CFG) and its img2img start (strength), written directly on bare onnxruntime, with nothing from the
// engine or the nodes.
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
  /** With guidance: the negative conditioning's feeds, batched before the positive as diffusers does. */
  readonly guidance?: { readonly scale: number; readonly negative: Record<string, ort.Tensor> }
  /**
   * img2img: the image latents (given the run's generator, which diffusers' retrieve_latents may draw from first),
   * noised to the first timestep kept by `strength` (diffusers' get_timesteps), instead of pure noise.
   */
  readonly init?: { readonly strength: number; readonly latents: (generator: TorchGenerator) => Float32Array }
  /**
   * Inpainting with a 4-channel UNet (StableDiffusionInpaintPipeline): pure noise at strength 1, and after each step
   * `(1 - mask) * add_noise(image_latents, noise, next t) + mask * latents`, the clean image latents after the last.
   * `mask` is at latent size, 0 or 1.
   */
  readonly inpaint?: { readonly mask: Float32Array }
}): Promise<{ latents: Float32Array; timesteps: number[] }> {
  const unet = await ort.InferenceSession.create(join(options.folder, 'unet', 'model.onnx'))
  const config = JSON.parse(readFileSync(join(options.folder, 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>
  const scheduler = createScheduler('ddim', { ...config, timestep_spacing: 'trailing' })
  scheduler.setTimesteps(options.steps)
  const [h, w] = options.latentSize
  const generator = new TorchGenerator(options.seed)
  let timesteps = scheduler.timesteps
  let x: Float32Array
  let image: Float32Array | undefined
  let startNoise: Float32Array | undefined
  // DDIMScheduler.add_noise: sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise, in float32.
  const addNoise = (x0: Float32Array, n: Float32Array, t: number): Float32Array => {
    const acp = Math.fround(scheduler.alphasCumprod[t]!)
    const a = Math.fround(Math.sqrt(acp))
    const b = Math.fround(Math.sqrt(Math.fround(1 - acp)))
    return x0.map((v, i) => Math.fround(Math.fround(a * v) + Math.fround(b * n[i]!)))
  }
  if (options.init) {
    const kept = Math.min(Math.floor(options.steps * options.init.strength), options.steps)
    timesteps = timesteps.slice(options.steps - kept)
    image = options.init.latents(generator)
    startNoise = generator.randn(4 * h * w)
    x = options.inpaint && kept === options.steps ? startNoise.slice() : addNoise(image, startNoise, timesteps[0]!)
  } else {
    x = generator.randn(4 * h * w)
  }
  const guidance = options.guidance
  const rows = guidance ? 2 : 1
  const feeds = guidance ? stackRows(guidance.negative, options.conditioning) : options.conditioning
  for (const [index, t] of timesteps.entries()) {
    const input = scheduler.scaleModelInput(x, t)
    const sample = new Float32Array(rows * input.length)
    for (let r = 0; r < rows; r++) sample.set(input, r * input.length)
    const out = await unet.run({
      sample: new ort.Tensor('float32', sample, [rows, 4, h, w]),
      timestep: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), [1]),
      ...feeds,
    })
    const noise = out.out_sample!.data as Float32Array
    let eps = noise
    if (guidance) {
      // noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
      const n = input.length
      eps = new Float32Array(n)
      for (let i = 0; i < n; i++) eps[i] = noise[i]! + guidance.scale * (noise[n + i]! - noise[i]!)
    }
    x = scheduler.step(eps, t, x)
    if (options.inpaint && image && startNoise) {
      const next = timesteps[index + 1]
      const proper = next === undefined ? image : addNoise(image, startNoise, next)
      const mask = options.inpaint.mask
      const plane = mask.length
      x = x.map((v, i) => Math.fround(Math.fround(Math.fround(1 - mask[i % plane]!) * proper[i]!) + Math.fround(mask[i % plane]! * v)))
    }
  }
  await unet.release()
  return { latents: x, timesteps }
}

/** [negative; positive] along the batch axis, per feed. */
function stackRows(negative: Record<string, ort.Tensor>, positive: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {}
  for (const [name, pos] of Object.entries(positive)) {
    const neg = negative[name]!
    const data = new Float32Array(neg.data.length + pos.data.length)
    data.set(neg.data as Float32Array)
    data.set(pos.data as Float32Array, neg.data.length)
    out[name] = new ort.Tensor('float32', data, [2, ...pos.dims.slice(1)])
  }
  return out
}
