// The sampler's custom-timesteps widget text: "800" or "999, 749, 499"; empty means "use the schedule".

export function parseTimesteps(text: string): number[] | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  return trimmed.split(/[\s,]+/).map((part) => {
    const value = Number(part)
    if (!Number.isInteger(value)) throw new Error(`"${part}" is not a whole-number timestep`)
    return value
  })
}

/** The sampler's custom-sigmas widget text: "14.61, 3.05, 0", descending, the final sigma included; empty means none. */
export function parseSigmas(text: string): number[] | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const sigmas = trimmed.split(/[\s,]+/).map((part) => {
    const value = Number(part)
    if (!Number.isFinite(value) || value < 0) throw new Error(`"${part}" is not a sigma (a finite number >= 0)`)
    return value
  })
  if (sigmas.length < 2) throw new Error('needs at least two sigmas: the first step and the final sigma (usually 0)')
  sigmas.forEach((s, i) => {
    if (i > 0 && s >= sigmas[i - 1]!) throw new Error(`must descend: ${s} at position ${i + 1} is not below ${sigmas[i - 1]}`)
  })
  return sigmas
}
