// An independent reimplementation of ComfyUI's schedule formulas (from its Python source), for checking our
// ComfyUI import by numbers. It deliberately shares no code with src/graph's translation.
export { f32, roundHalfEven } from './float32.js'
export { betaCdf, betaPpf } from './beta-ppf.js'
export { modelSamplingDiscrete, modelSamplingDistilled, unetTimestepChoices, unetTimesteps } from './model-sampling.js'
export type { ComfyModelSampling } from './model-sampling.js'
export {
  advancedSigmas,
  alignYourStepsScheduler,
  AYS_NOISE_LEVELS,
  basicScheduler,
  betaSamplingScheduler,
  calculateSigmas,
  hyperSdxl1StepUnetScheduler,
  loglinearInterp,
  sdTurboScheduler,
  tcdModelSamplingDiscrete,
} from './schedules.js'
export type { SchedulerName } from './schedules.js'
export { ourSchedule } from './our-schedule.js'
export type { OurSchedule } from './our-schedule.js'
