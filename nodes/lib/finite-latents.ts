// A NaN anywhere in the latents spreads to the whole image, which then decodes to black and "succeeds". The
// sampler checks after every step, so the run fails at the step where it happened instead.

export class NonFiniteLatentsError extends Error {
  override readonly name = 'NonFiniteLatentsError'
}

/** Throws, naming the step (1-based) and timestep, when `latents` holds NaN or infinity. */
export function assertFiniteLatents(latents: Float32Array, stepIndex: number, steps: number, timestep: number): void {
  for (let i = 0; i < latents.length; i++) {
    if (Number.isFinite(latents[i]!)) continue
    throw new NonFiniteLatentsError(
      `step ${stepIndex + 1} of ${steps} (timestep ${timestep}) produced ${latents[i]} in the latents: the model or a LoRA gives non-finite values, so the image would be ruined`,
    )
  }
}
