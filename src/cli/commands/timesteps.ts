// `hypersd timesteps --scheduler NAME --steps N [--spacing S] [--timesteps 800] [--config scheduler_config.json]`
import { readFile } from 'node:fs/promises'
import { PRESET_SETUPS, SAMPLER_PRESETS, parseTimesteps, type SamplerPreset } from '../../../nodes/lib/presets.js'
import { createScheduler } from '../../sampling/index.js'
import { rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'

const SCHEDULERS = ['ddim', 'tcd', 'lcm', 'euler'] as const
type SchedulerName = (typeof SCHEDULERS)[number]

/** The Stable Diffusion base scheduler config every Hyper-SD variant inherits (HYPER-SD.md). */
export const SD_BASE_SCHEDULER_CONFIG = {
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  beta_end: 0.012,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  steps_offset: 1,
  clip_sample: false,
  prediction_type: 'epsilon',
} as const

export async function timestepsCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['scheduler', 'steps', 'spacing', 'timesteps', 'config', 'eta', 'verbose'])
  const name = single(args, 'scheduler') ?? 'ddim-trailing'
  const isPreset = (SAMPLER_PRESETS as readonly string[]).includes(name)
  if (!isPreset && !(SCHEDULERS as readonly string[]).includes(name)) {
    throw new UsageError(`--scheduler: unknown "${name}" (presets: ${SAMPLER_PRESETS.join(', ')}; schedulers: ${SCHEDULERS.join(', ')})`)
  }
  const stepsText = single(args, 'steps') ?? '4'
  const steps = Number(stepsText)
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps: expected a whole number >= 1, got "${stepsText}"`)
  const configPath = single(args, 'config')
  const base: Record<string, unknown> = configPath ? (JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>) : { ...SD_BASE_SCHEDULER_CONFIG }
  const preset = isPreset ? PRESET_SETUPS[name as SamplerPreset] : undefined
  const schedulerName: SchedulerName = preset ? preset.scheduler : (name as SchedulerName)
  const spacing = single(args, 'spacing')
  const config = { ...base, ...(preset?.overrides ?? {}), ...(spacing ? { timestep_spacing: spacing } : {}) }
  const customText = single(args, 'timesteps')
  let custom: number[] | undefined
  try {
    custom = customText !== undefined ? parseTimesteps(customText) : preset?.defaultTimesteps?.(steps)
  } catch (error) {
    throw new UsageError(`--timesteps: ${(error as Error).message}`)
  }
  const scheduler = createScheduler(schedulerName, config)
  scheduler.setTimesteps(steps, custom ? { timesteps: custom } : undefined)
  const lines = [
    `scheduler: ${schedulerName}${preset ? ` (preset ${name}: ${preset.summary})` : ''}`,
    `steps: ${steps}${custom ? ` (custom timesteps)` : ''}${config.timestep_spacing ? `, spacing ${String(config.timestep_spacing)}` : ''}`,
    `timesteps: ${scheduler.timesteps.join(', ')}`,
    `init noise sigma: ${scheduler.initNoiseSigma}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  return 0
}
