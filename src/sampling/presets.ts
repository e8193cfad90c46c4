// How each Hyper-SD artefact is sampled (shared/reference/HYPER-SD.md): scheduler, config overrides on top of
// the SD base scheduler config, default steps/timesteps/eta/guidance. The sampler node and CLI read these.
import type { SchedulerName } from './types.js'

/** The scheduler_config.json every Hyper-SD variant inherits from its SD1.5/SDXL base. */
export const SD_BASE_SCHEDULER_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  set_alpha_to_one: false,
  steps_offset: 1,
  clip_sample: false,
  prediction_type: 'epsilon',
})

export interface HyperSdPreset {
  id: string
  label: string
  scheduler: SchedulerName
  /** Overrides applied over the model's own scheduler config (or SD_BASE_SCHEDULER_CONFIG). */
  config: Readonly<Record<string, unknown>>
  defaultSteps: number
  /** Step counts the artefact was distilled for; others still run. */
  stepsDistilled: readonly number[]
  /** Custom timesteps replacing the spacing rule, e.g. [800] for the 1-step UNet. */
  timesteps?: readonly number[]
  /** eta (TCD gamma / DDIM eta) for a given step count. */
  eta: (steps: number) => number
  /** Default guidance scale; <= 1 means a single UNet pass without CFG. */
  cfg: number
  note: string
}

export const HYPER_SD_PRESETS: readonly HyperSdPreset[] = Object.freeze([
  {
    id: 'ddim-trailing',
    label: 'DDIM trailing (Hyper-SD 1/2/4/8-step LoRA)',
    scheduler: 'ddim',
    config: { timestep_spacing: 'trailing' },
    defaultSteps: 4,
    stepsDistilled: [1, 2, 4, 8],
    eta: () => 0,
    cfg: 1,
    note: 'LoRA fused at scale 1.0; guidance off.',
  },
  {
    id: 'tcd',
    label: 'TCD (Hyper-SD unified 1-step LoRA, 1 to 8 steps)',
    scheduler: 'tcd',
    config: { original_inference_steps: 50 },
    defaultSteps: 1,
    stepsDistilled: [1, 2, 4, 8],
    eta: (steps) => (steps <= 1 ? 1 : 0.5),
    cfg: 1,
    note: 'eta (gamma) 1.0 for one step; lower (0.3 to 0.8) for more steps.',
  },
  {
    id: 'lcm-800',
    label: 'LCM from 800 (Hyper-SDXL 1-step UNet)',
    scheduler: 'lcm',
    config: {},
    defaultSteps: 1,
    stepsDistilled: [1],
    timesteps: [800],
    eta: () => 0,
    cfg: 1,
    note: 'The UNet replaces the SDXL UNet; one step at t=800.',
  },
  {
    id: 'ddim-trailing-cfg',
    label: 'DDIM trailing with CFG (Hyper-SD 8/12-step CFG LoRA)',
    scheduler: 'ddim',
    config: { timestep_spacing: 'trailing' },
    defaultSteps: 8,
    stepsDistilled: [8, 12],
    eta: () => 0,
    cfg: 5,
    note: 'Guidance 5 to 8; the negative prompt works.',
  },
  {
    // Not a Hyper-SD artefact's sampler: the base model's own, for comparing against it. DDIM with eta 1 is DDPM's
    // ancestral step (the posterior mean and variance), as diffusers' DDIMScheduler computes it with eta=1.
    id: 'ddpm-trailing-cfg',
    label: 'DDPM (DDIM with eta 1) trailing with CFG (the base model, 25 to 50 steps)',
    scheduler: 'ddim',
    config: { timestep_spacing: 'trailing' },
    defaultSteps: 25,
    stepsDistilled: [],
    eta: () => 1,
    cfg: 3.5,
    note: 'Fresh noise at every step; for the model without a LoRA. Guidance 3 to 7.5.',
  },
  {
    id: 'euler-trailing',
    label: 'Euler trailing',
    scheduler: 'euler',
    config: { timestep_spacing: 'trailing' },
    defaultSteps: 4,
    stepsDistilled: [1, 2, 4, 8],
    eta: () => 0,
    cfg: 1,
    note: 'Sigma-space Euler with trailing timesteps (SDXL-Lightning style).',
  },
] satisfies HyperSdPreset[])

export function findPreset(id: string): HyperSdPreset {
  const preset = HYPER_SD_PRESETS.find((p) => p.id === id)
  if (!preset) {
    throw new RangeError(
      `unknown Hyper-SD scheduler preset "${id}"; valid presets: ${HYPER_SD_PRESETS.map((p) => p.id).join(', ')}`,
    )
  }
  return preset
}

/** The preset's scheduler config: base (a model's own scheduler_config.json, or the SD base) plus overrides. */
export function presetConfig(preset: HyperSdPreset, base?: Record<string, unknown>): Record<string, unknown> {
  return { ...(base ?? SD_BASE_SCHEDULER_CONFIG), ...preset.config }
}
