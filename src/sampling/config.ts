// Reading a diffusers scheduler_config.json dict: defaults per scheduler class, overrides merged on top, unknown
// keys (such as `_class_name` or `_diffusers_version`) ignored, and every known value validated with an error
// naming the key. Keys are copied only from own properties of the input, so `__proto__` cannot pollute anything.

export type ConfigValue = number | boolean | string | null | number[]

/** A field's expected kind; `nullable` allows JSON null (diffusers' None). */
export interface FieldSpec {
  /** 'fixed': a diffusers option this port does not implement, accepted only at its default `value`. */
  kind: 'number' | 'integer' | 'boolean' | 'enum' | 'numberArray' | 'fixed'
  values?: readonly string[]
  value?: ConfigValue
  min?: number
  max?: number
  /** Exclusive lower bound. */
  above?: number
  nullable?: boolean
}

export type ConfigSpec<T> = { [K in keyof T]: FieldSpec }

export class SchedulerConfigError extends Error {
  constructor(
    readonly scheduler: string,
    readonly key: string,
    message: string,
  ) {
    super(`${scheduler} scheduler config: \`${key}\` ${message}`)
    this.name = 'SchedulerConfigError'
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return 'an array'
  return String(value)
}

function checkValue(scheduler: string, key: string, spec: FieldSpec, value: unknown): ConfigValue {
  if (value === null && spec.nullable) return null
  const fail = (what: string): never => {
    throw new SchedulerConfigError(scheduler, key, `must be ${what}, got ${describe(value)}`)
  }
  switch (spec.kind) {
    case 'fixed':
      if (value !== spec.value) {
        throw new SchedulerConfigError(scheduler, key, `= ${describe(value)} is not supported here (only ${describe(spec.value)})`)
      }
      return value as ConfigValue
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false')
      return value as boolean
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value)) {
        fail(`one of ${spec.values!.map((v) => `"${v}"`).join(', ')}`)
      }
      return value as string
    case 'numberArray':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        fail('an array of finite numbers')
      }
      return (value as number[]).slice()
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a finite number')
      const n = value as number
      if (spec.kind === 'integer' && !Number.isInteger(n)) fail('an integer')
      if (spec.min !== undefined && n < spec.min) fail(`at least ${spec.min}`)
      if (spec.max !== undefined && n > spec.max) fail(`at most ${spec.max}`)
      if (spec.above !== undefined && n <= spec.above) fail(`greater than ${spec.above}`)
      return n
    }
  }
}

/**
 * Merges `input` over `defaults`, keeping only keys the spec knows. Throws SchedulerConfigError naming the key
 * for a value of the wrong type or range.
 */
export function readConfig<T extends { [K in keyof T]: ConfigValue }>(
  scheduler: string,
  spec: ConfigSpec<T>,
  defaults: T,
  input: Record<string, unknown> | undefined,
): T {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new SchedulerConfigError(scheduler, '(config)', `must be an object, got ${describe(input)}`)
  }
  const merged = { ...defaults }
  if (!input) return merged
  for (const key of Object.keys(spec) as (keyof T & string)[]) {
    if (!Object.prototype.hasOwnProperty.call(input, key)) continue
    const value = input[key]
    if (value === undefined) continue
    merged[key] = checkValue(scheduler, key, spec[key], value) as T[typeof key]
  }
  return merged
}

// Field specs shared by the four schedulers (diffusers uses the same names and meanings across classes).
export const BETA_FIELDS = {
  num_train_timesteps: { kind: 'integer', min: 1 },
  beta_start: { kind: 'number', above: 0 },
  beta_end: { kind: 'number', above: 0 },
  beta_schedule: { kind: 'enum', values: ['linear', 'scaled_linear', 'squaredcos_cap_v2'] },
  trained_betas: { kind: 'numberArray', nullable: true },
  rescale_betas_zero_snr: { kind: 'boolean' },
  prediction_type: { kind: 'enum', values: ['epsilon', 'v_prediction', 'sample'] },
  steps_offset: { kind: 'integer', min: 0 },
  timestep_spacing: { kind: 'enum', values: ['leading', 'trailing', 'linspace'] },
} as const satisfies Record<string, FieldSpec>

export const CLIP_FIELDS = {
  clip_sample: { kind: 'boolean' },
  clip_sample_range: { kind: 'number', above: 0 },
  set_alpha_to_one: { kind: 'boolean' },
  thresholding: { kind: 'boolean' },
  dynamic_thresholding_ratio: { kind: 'number', above: 0, max: 1 },
  sample_max_value: { kind: 'number', above: 0 },
} as const satisfies Record<string, FieldSpec>

export type BetaConfig = {
  num_train_timesteps: number
  beta_start: number
  beta_end: number
  beta_schedule: string
  trained_betas: number[] | null
  rescale_betas_zero_snr: boolean
  prediction_type: string
  steps_offset: number
  timestep_spacing: string
}

export type ClipConfig = {
  clip_sample: boolean
  clip_sample_range: number
  set_alpha_to_one: boolean
  thresholding: boolean
  dynamic_thresholding_ratio: number
  sample_max_value: number
}
