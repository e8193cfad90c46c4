// The schedule our translated TSCDSampler node runs, built exactly as nodes/sampler.ts builds it (preset ->
// scheduler on the SD base config, custom timesteps or sigmas, the preset's own timesteps, denoise as strength),
// without running a UNet. Missing inputs take the node declaration's defaults.
import type { GraphNode } from '../../../src/graph/schema.js'
import { createScheduler, EulerScheduler, findPreset, presetConfig, SD_BASE_SCHEDULER_CONFIG } from '../../../src/sampling/index.js'
import { parseSigmas, parseTimesteps } from '../../../nodes/lib/timesteps-text.js'
import { tscdSampler } from '../../../nodes/sampler.js'

export interface OurSchedule {
  readonly preset: string
  readonly steps: number
  /** The timesteps the UNet is fed, one per step (fractional for Euler). */
  readonly timesteps: number[]
  /** Euler only: the sigmas stepped through, the final one included. */
  readonly sigmas?: number[]
  /** The eta the sampler steps with (TCD: the node's eta; others their preset's). */
  readonly eta: number
  readonly denoise: number
}

function input<T>(node: GraphNode, name: string, fallback: T): T {
  const value = Object.hasOwn(node.inputs, name) ? node.inputs[name] : undefined
  return value === undefined ? fallback : (value as T)
}

function declaredDefault<T>(name: string): T {
  const spec = (tscdSampler.inputs as Record<string, { default?: unknown } | undefined>)[name]
  return spec?.default as T
}

export function ourSchedule(node: GraphNode): OurSchedule {
  if (node.type !== 'TSCDSampler') throw new Error(`node ${node.id} is a ${node.type}, not a TSCDSampler`)
  const presetId = input(node, 'scheduler', declaredDefault<string>('scheduler'))
  const preset = findPreset(presetId)
  const scheduler = createScheduler(preset.scheduler, presetConfig(preset, { ...SD_BASE_SCHEDULER_CONFIG }))
  const sigmasText = input(node, 'sigmas', declaredDefault<string | undefined>('sigmas') ?? '')
  const timestepsText = input(node, 'timesteps', declaredDefault<string>('timesteps'))
  const denoise = input(node, 'denoise', declaredDefault<number>('denoise'))
  const customSigmas = parseSigmas(sigmasText)
  if (customSigmas && preset.scheduler !== 'euler') throw new Error(`node ${node.id}: custom sigmas on the ${presetId} preset`)
  if (customSigmas && timestepsText.trim()) throw new Error(`node ${node.id}: both custom sigmas and timesteps`)
  const steps = customSigmas ? customSigmas.length - 1 : input(node, 'steps', declaredDefault<number>('steps'))
  const presetTimesteps = preset.timesteps && preset.timesteps.length === steps ? [...preset.timesteps] : undefined
  const customTimesteps = customSigmas ? undefined : (parseTimesteps(timestepsText) ?? presetTimesteps)
  scheduler.setTimesteps(steps, {
    ...(customTimesteps ? { timesteps: customTimesteps } : {}),
    ...(customSigmas ? { sigmas: customSigmas } : {}),
    ...(denoise < 1 ? { strength: denoise } : {}),
  })
  const eta = preset.scheduler === 'tcd' ? input(node, 'eta', declaredDefault<number>('eta')) : preset.eta(steps)
  return {
    preset: presetId,
    steps,
    timesteps: scheduler.timesteps,
    ...(scheduler instanceof EulerScheduler ? { sigmas: Array.from(scheduler.sigmas) } : {}),
    eta,
    denoise,
  }
}
