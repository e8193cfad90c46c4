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
