// `hypersd timesteps --scheduler NAME --steps N [--spacing S] [--timesteps 800] [--config scheduler_config.json]`
import { readFile } from 'node:fs/promises'
import { parseTimesteps } from '../../../nodes/lib/timesteps-text.js'
import { describeSchedule, HYPER_SD_PRESETS, presetConfig, SCHEDULER_NAMES, SD_BASE_SCHEDULER_CONFIG, type SchedulerName } from '../../sampling/index.js'
import { rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'

export async function timestepsCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['scheduler', 'steps', 'spacing', 'timesteps', 'config', 'verbose'])
  const name = single(args, 'scheduler') ?? 'ddim-trailing'
  const preset = HYPER_SD_PRESETS.find((p) => p.id === name)
  if (!preset && !(SCHEDULER_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--scheduler: unknown "${name}" (presets: ${HYPER_SD_PRESETS.map((p) => p.id).join(', ')}; schedulers: ${SCHEDULER_NAMES.join(', ')})`)
  }
  const stepsText = single(args, 'steps') ?? String(preset?.defaultSteps ?? 4)
  const steps = Number(stepsText)
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps: expected a whole number >= 1, got "${stepsText}"`)
  const configPath = single(args, 'config')
  const base = configPath ? (JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>) : { ...SD_BASE_SCHEDULER_CONFIG }
  const spacing = single(args, 'spacing')
  const config = { ...(preset ? presetConfig(preset, base) : base), ...(spacing ? { timestep_spacing: spacing } : {}) }
  let custom: number[] | undefined
  try {
    const text = single(args, 'timesteps')
    custom = text !== undefined ? parseTimesteps(text) : preset?.timesteps && preset.timesteps.length === steps ? [...preset.timesteps] : undefined
  } catch (error) {
    throw new UsageError(`--timesteps: ${(error as Error).message}`)
  }
  const scheduler: SchedulerName = preset ? preset.scheduler : (name as SchedulerName)
  const description = describeSchedule(scheduler, config, steps, custom ? { timesteps: custom } : {})
  const lines = [
    ...(preset ? [`preset ${preset.id}: ${preset.label}. ${preset.note}`] : []),
    `timesteps: ${description.timesteps.join(', ')}`,
    ...description.lines,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  return 0
}
