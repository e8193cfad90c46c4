// A readable account of what a scheduler will do, for the CLI `timesteps` command and the sampler's tooltips.
import { createScheduler } from './create.js'
import { DdimScheduler } from './ddim.js'
import { EulerScheduler } from './euler.js'
import type { SchedulerName, SetTimestepsOptions } from './types.js'

export interface ScheduleRow {
  index: number
  timestep: number
  /** alphas_cumprod at the timestep (DDIM/TCD/LCM). */
  alphaCumprod?: number
  /** The timestep DDIM steps to (-1: final alpha). */
  previous?: number
  /** Euler sigma at the timestep and the one it steps to. */
  sigma?: number
  nextSigma?: number
}

export interface ScheduleDescription {
  scheduler: SchedulerName
  steps: number
  timesteps: number[]
  initNoiseSigma: number
  rows: ScheduleRow[]
  /** Human-readable lines, one per step after a header. */
  lines: string[]
}

export function describeSchedule(
  name: SchedulerName,
  config: Record<string, unknown> | undefined,
  steps: number,
  opts: SetTimestepsOptions = {},
): ScheduleDescription {
  const scheduler = createScheduler(name, config)
  scheduler.setTimesteps(steps, opts)
  const timesteps = scheduler.timesteps
  const rows: ScheduleRow[] = timesteps.map((timestep, index) => {
    const row: ScheduleRow = { index, timestep }
    if (scheduler instanceof EulerScheduler) {
      row.sigma = scheduler.sigmas[index]!
      row.nextSigma = scheduler.sigmas[index + 1]!
    } else {
      row.alphaCumprod = scheduler.alphasCumprod[timestep]!
      if (scheduler instanceof DdimScheduler) row.previous = scheduler.previousTimestep(timestep)
    }
    return row
  })
  const spacing = String(scheduler.config['timestep_spacing'])
  const header = `${name} (${opts.timesteps ? 'custom timesteps' : `${spacing} spacing`}), ${timesteps.length} step(s): [${timesteps.join(', ')}]`
  const lines = [header]
  for (const row of rows) {
    const parts = [`step ${row.index + 1}: t=${row.timestep}`]
    if (row.previous !== undefined) parts.push(`-> t=${row.previous}`)
    if (row.alphaCumprod !== undefined) parts.push(`alpha_cumprod=${row.alphaCumprod.toPrecision(6)}`)
    if (row.sigma !== undefined) parts.push(`sigma=${row.sigma.toPrecision(6)} -> ${row.nextSigma!.toPrecision(6)}`)
    lines.push(parts.join('  '))
  }
  return {
    scheduler: name,
    steps: timesteps.length,
    timesteps,
    initNoiseSigma: scheduler.initNoiseSigma,
    rows,
    lines,
  }
}
