// Scheduler construction by name (kept apart from index.ts so helpers like describe.ts can use it).
import { DdimScheduler } from './ddim.js'
import { EulerScheduler } from './euler.js'
import { LcmScheduler } from './lcm.js'
import { TcdScheduler } from './tcd.js'
import type { SamplingScheduler, SchedulerName } from './types.js'

export const SCHEDULER_NAMES: readonly SchedulerName[] = ['ddim', 'tcd', 'lcm', 'euler']

/** A scheduler configured from a diffusers scheduler_config.json dict (unknown keys ignored). */
export function createScheduler(name: SchedulerName, config?: Record<string, unknown>): SamplingScheduler {
  switch (name) {
    case 'ddim':
      return new DdimScheduler(config)
    case 'tcd':
      return new TcdScheduler(config)
    case 'lcm':
      return new LcmScheduler(config)
    case 'euler':
      return new EulerScheduler(config)
    default:
      throw new RangeError(`unknown scheduler ${JSON.stringify(name)}; valid schedulers: ${SCHEDULER_NAMES.join(', ')}`)
  }
}
