// Hyper-SD scheduler presets: which diffusers scheduler and config each variant runs with (HYPER-SD.md).

export const SAMPLER_PRESETS = ['ddim-trailing', 'tcd', 'lcm', 'euler-trailing'] as const
export type SamplerPreset = (typeof SAMPLER_PRESETS)[number]

export interface PresetSetup {
  readonly scheduler: 'ddim' | 'tcd' | 'lcm' | 'euler'
  readonly overrides: Readonly<Record<string, unknown>>
  /** Whether the node's eta widget is passed to step() (TCD's gamma); DDIM presets run eta 0 as Hyper-SD does. */
  readonly usesEta: boolean
  /** Custom timesteps used when the user gives none, by step count (Hyper-SDXL 1-step UNet: LCM from 800). */
  readonly defaultTimesteps?: (steps: number) => number[] | undefined
  readonly summary: string
}

export const PRESET_SETUPS: Readonly<Record<SamplerPreset, PresetSetup>> = {
  'ddim-trailing': {
    scheduler: 'ddim',
    overrides: { timestep_spacing: 'trailing' },
    usesEta: false,
    summary: 'Hyper-SD 1/2/4/8-step LoRAs: DDIM with trailing timesteps, eta 0',
  },
  tcd: {
    scheduler: 'tcd',
    overrides: {},
    usesEta: true,
    summary: 'Hyper-SD unified 1-step LoRA run for 1-8 steps: TCD, eta (gamma) 1 for 1 step, 0.3-0.8 for more',
  },
  lcm: {
    scheduler: 'lcm',
    overrides: {},
    usesEta: false,
    defaultTimesteps: (steps) => (steps === 1 ? [800] : undefined),
    summary: 'Hyper-SDXL 1-step UNet: LCM from t=800',
  },
  'euler-trailing': {
    scheduler: 'euler',
    overrides: { timestep_spacing: 'trailing' },
    usesEta: false,
    summary: 'Euler discrete with trailing timesteps (SDXL-Lightning style)',
  },
}

/** Parses "800" or "999, 749, 499" into numbers; empty text means "use the schedule". */
export function parseTimesteps(text: string): number[] | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  return trimmed.split(/[\s,]+/).map((part) => {
    const value = Number(part)
    if (!Number.isInteger(value)) throw new Error(`"${part}" is not a whole-number timestep`)
    return value
  })
}
