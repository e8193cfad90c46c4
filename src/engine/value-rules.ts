// The rules a number input's value follows (range, step, precision, multiple), derived from its declaration once
// and shared by every place a value enters: canvas drags and prompts, the inspector, and graph validation.
import type { ActiveWhen, FloatSpec, IntSpec, SeedSpec, WidgetSpec } from './spec.js'

export type NumberSpec = IntSpec | FloatSpec | SeedSpec

export interface NumberRule {
  readonly whole: boolean
  readonly min?: number
  readonly max?: number
  /** One drag or arrow step. */
  readonly step: number
  /** Decimal places kept when a value is stored. */
  readonly precision: number
  readonly multipleOf?: number
  /** Stored values lie on `min + k * step` (a float declared with `snap`). */
  readonly snap?: true
}

/** A full drag across a typical node (about 300 px) should not cover more than the whole range... */
const FULL_DRAG_PX = 300
/** ...and no step may take fewer pixels than this, so a short flick never jumps far. */
const MIN_PX_PER_STEP = 10
/** Shift makes a drag this much finer. */
export const FINE_DRAG_FACTOR = 10

export function isNumberSpec(spec: WidgetSpec): spec is NumberSpec {
  return spec.kind === 'int' || spec.kind === 'float' || spec.kind === 'seed'
}

/** Decimal places a step needs (0.05 → 2), so inputs without a precision still store clean values. */
export function decimalsOf(step: number): number {
  const text = String(step)
  const exponent = /e-(\d+)$/.exec(text)
  if (exponent) return Math.min(10, Number(exponent[1]))
  const dot = text.indexOf('.')
  return dot < 0 ? 0 : Math.min(10, text.length - dot - 1)
}

export function numberRule(spec: NumberSpec): NumberRule {
  const whole = spec.kind !== 'float'
  const multipleOf = spec.kind === 'int' ? spec.multipleOf : undefined
  const step = spec.kind === 'seed' ? 1 : (spec.step ?? multipleOf ?? (whole ? 1 : 0.01))
  const declared = whole ? 0 : spec.kind === 'float' && spec.precision !== undefined ? spec.precision : decimalsOf(step)
  const snap = spec.kind === 'float' && spec.snap === true
  // A snapped value must stay on its step once rounded: step 0.125 or min 0.03 need more places than precision 1.
  const precision = snap ? Math.max(declared, decimalsOf(step), decimalsOf(spec.min ?? 0)) : declared
  return {
    whole,
    step,
    precision,
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(multipleOf !== undefined ? { multipleOf } : {}),
    ...(snap ? { snap: true as const } : {}),
  }
}

/** Drops float noise (0.4999999999999996 → 0.5) at the rule's precision. */
export function roundToPrecision(value: number, precision: number): number {
  if (!Number.isFinite(value)) return value
  if (precision <= 0) return Math.round(value)
  const rounded = Number(value.toFixed(precision))
  return Object.is(rounded, -0) ? 0 : rounded
}

function clampTo(rule: NumberRule, value: number): number {
  if (rule.min !== undefined && value < rule.min) return rule.min
  if (rule.max !== undefined && value > rule.max) return rule.max
  return value
}

/** Why `value` is not acceptable as it stands, or undefined; the engine's validation reports the same words. */
export function numberProblem(rule: NumberRule, value: number): string | undefined {
  if (rule.min !== undefined && value < rule.min) return `${value} is below the minimum ${rule.min}`
  if (rule.max !== undefined && value > rule.max) return `${value} is above the maximum ${rule.max}`
  if (rule.multipleOf !== undefined && value % rule.multipleOf !== 0) return `${value} is not a multiple of ${rule.multipleOf}`
  return undefined
}

export interface Conformed {
  readonly value: number
  /** Why the value differs from what was given (range, whole number, multiple, step); absent when only noise was dropped. */
  readonly reason?: string
}

/**
 * The nearest point of `min + k * step` (from 0 without a min), kept within max, as litegraph and ComfyUI round.
 * k is rounded to 6 places first so float noise in `given` cannot decide a tie (0.525 / 0.05 = 10.500000000000002).
 */
export function snapToStep(rule: NumberRule, given: number): number {
  const origin = rule.min ?? 0
  const stepsTo = (value: number): number => Number(((value - origin) / rule.step).toFixed(6))
  let snapped = origin + Math.round(stepsTo(given)) * rule.step
  if (rule.max !== undefined && snapped > rule.max) snapped = origin + Math.floor(stepsTo(rule.max)) * rule.step
  return roundToPrecision(snapped, rule.precision)
}

/**
 * Differences this small (relative) are float noise, not a move worth a note: float32 round trips (-1.0000003814697265)
 * and float64 sums (0.1 + 0.2 = 0.30000000000000004) stay well below it; typed moves (0.512 to 0.5) are far above.
 */
const FLOAT_NOISE = 1e-6

function offStepReason(rule: NumberRule, value: number): string {
  const origin = rule.min ?? 0
  const stepsToOrigin = origin / rule.step
  const aligned = Math.abs(stepsToOrigin - Math.round(stepsToOrigin)) < 1e-6
  return aligned ? `${value} is not on a ${rule.step} step` : `${value} is not on a ${rule.step} step from ${origin}`
}

/** The nearest acceptable value: whole, in range, on the multiple or step, rounded to the precision. */
export function conformNumber(rule: NumberRule, given: number): Conformed {
  const reasons: string[] = []
  let value = given
  if (rule.whole && !Number.isInteger(value)) {
    value = Math.round(value)
    reasons.push(`${given} is not a whole number`)
  }
  const ranged = clampTo(rule, value)
  if (ranged !== value) reasons.push(numberProblem(rule, value) ?? '')
  value = ranged
  if (rule.multipleOf !== undefined && value % rule.multipleOf !== 0) {
    const m = rule.multipleOf
    reasons.push(`${value} is not a multiple of ${m}`)
    let snapped = Math.round(value / m) * m
    if (rule.max !== undefined && snapped > rule.max) snapped = Math.floor(rule.max / m) * m
    if (rule.min !== undefined && snapped < rule.min) snapped = Math.ceil(rule.min / m) * m
    value = snapped
  }
  if (rule.snap) {
    const snapped = snapToStep(rule, value)
    if (Math.abs(snapped - value) > FLOAT_NOISE * Math.max(1, Math.abs(value))) reasons.push(offStepReason(rule, value))
    value = snapped
  }
  value = roundToPrecision(value, rule.precision)
  return reasons.length > 0 ? { value, reason: reasons.join(', ') } : { value }
}

/** Plain decimal numbers only: litegraph would evaluate expressions, and "abc" must be refused, not read as 0. */
const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i

export type TextCheck =
  | { readonly ok: true; readonly value: number; readonly reason?: string }
  | { readonly ok: false; readonly error: string }

/** Reads typed text against the rule: refused when it is not a number, otherwise conformed with the reason. */
export function checkNumberText(rule: NumberRule, text: string): TextCheck {
  if (!NUMBER_TEXT.test(text)) {
    const shown = text.trim() === '' ? 'an empty value' : `"${text.trim().slice(0, 40)}"`
    return { ok: false, error: `${shown} is not a number` }
  }
  const conformed = conformNumber(rule, Number(text))
  return conformed.reason !== undefined ? { ok: true, value: conformed.value, reason: conformed.reason } : { ok: true, value: conformed.value }
}

/** The sentence shown when a typed value was changed: "steps: 999 is above the maximum 50; set to 50". */
export function changeNote(input: string, reason: string, value: number): string {
  return `${input}: ${reason}; set to ${value}`
}

/** Pixels a drag needs for one step: scaled so a full drag spans at most the range, never under MIN_PX_PER_STEP. */
export function pixelsPerStep(rule: NumberRule, fine: boolean): number {
  const span = rule.min !== undefined && rule.max !== undefined ? (rule.max - rule.min) / rule.step : Infinity
  const coarse = Math.max(MIN_PX_PER_STEP, FULL_DRAG_PX / span)
  return fine ? coarse * FINE_DRAG_FACTOR : coarse
}

/** The value after dragging `pixels` (from where the drag, or its last Shift change, began). */
export function dragValue(rule: NumberRule, start: number, pixels: number, fine: boolean): number {
  const steps = Math.trunc(pixels / pixelsPerStep(rule, fine))
  return roundToPrecision(clampTo(rule, start + steps * rule.step), rule.precision)
}

/**
 * Why the input is ignored with the node's current values, or undefined when it applies:
 * "ignored by scheduler ddim-trailing (only used with tcd)".
 */
export function inactiveReason(activeWhen: ActiveWhen | undefined, values: Readonly<Record<string, unknown>>): string | undefined {
  if (!activeWhen) return undefined
  const current = Object.hasOwn(values, activeWhen.input) ? values[activeWhen.input] : undefined
  if (typeof current === 'string' && activeWhen.in.includes(current)) return undefined
  return `ignored by ${activeWhen.input} ${String(current)} (only used with ${activeWhen.in.join(', ')})`
}
