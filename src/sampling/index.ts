// Public API of the sampling library: schedulers with diffusers parity, torch-compatible noise, guidance and
// Hyper-SD presets. Pure TypeScript over Float32Array; no onnxruntime, no DOM.
export type { Scheduler, SamplingScheduler, SchedulerName, SetTimestepsOptions, StepOptions } from './types.js'
export { randn, TorchGenerator } from './randn.js'
export { applyGuidance } from './guidance.js'
export { HYPER_SD_PRESETS, SD_BASE_SCHEDULER_CONFIG, findPreset, presetConfig } from './presets.js'
export type { HyperSdPreset } from './presets.js'
export { describeSchedule } from './describe.js'
export { float32Text } from './float-text.js'
export type { ScheduleDescription } from './describe.js'
export { SchedulerConfigError } from './config.js'
export { SchedulerArgumentError } from './spacing.js'
export { DdimScheduler } from './ddim.js'
export { EulerScheduler } from './euler.js'
export { LcmScheduler } from './lcm.js'
export { TcdScheduler } from './tcd.js'

export { createScheduler, SCHEDULER_NAMES } from './create.js'
