// The value rules shared by canvas widgets, the prompt dialog, the inspector and graph validation.
import { describe, expect, it } from 'vitest'
import {
  changeNote,
  checkNumberText,
  checkWidgetValue,
  conformNumber,
  decimalsOf,
  dragValue,
  inactiveReason,
  numberRule,
  pixelsPerStep,
  roundToPrecision,
  snapToStep,
} from '../../src/engine/index.js'
import type { FloatSpec, IntSpec } from '../../src/engine/index.js'
import { emptyLatent } from '../../nodes/latent.js'
import { unetLora } from '../../nodes/lora.js'
import { tscdSampler } from '../../nodes/sampler.js'

const steps = numberRule(tscdSampler.inputs.steps as IntSpec)
const width = numberRule(emptyLatent.inputs.width as IntSpec)
const scale = numberRule(unetLora.inputs.scale as FloatSpec)

describe('numberRule', () => {
  it('derives step and precision from the declaration, precision from the step when none is declared', () => {
    expect(steps).toEqual({ whole: true, min: 1, max: 50, step: 1, precision: 0 })
    expect(width).toMatchObject({ whole: true, min: 64, max: 4096, step: 8, multipleOf: 8 })
    expect(scale).toMatchObject({ whole: false, min: -4, max: 4, step: 0.05, precision: 2 })
    expect(numberRule({ kind: 'float', default: 0, step: 0.125 }).precision).toBe(3)
    expect(decimalsOf(1e-7)).toBe(7)
  })
})

describe('conformNumber and checkNumberText', () => {
  it('rounds float noise away at the precision', () => {
    expect(conformNumber(scale, -1.0000003814697265)).toEqual({ value: -1 })
    expect(conformNumber(scale, 0.4999999999999996)).toEqual({ value: 0.5 })
    expect(roundToPrecision(-0.0000001, 2)).toBe(0)
  })

  it('clamps out-of-range values and says why', () => {
    const high = checkNumberText(steps, '999')
    expect(high).toEqual({ ok: true, value: 50, reason: '999 is above the maximum 50' })
    expect(changeNote('steps', '999 is above the maximum 50', 50)).toBe('steps: 999 is above the maximum 50; set to 50')
    expect(checkNumberText(steps, '-4')).toEqual({ ok: true, value: 1, reason: '-4 is below the minimum 1' })
    expect(checkNumberText(width, '100000')).toMatchObject({ value: 4096, reason: '100000 is above the maximum 4096' })
  })

  it('snaps sizes to their multiple, staying in range', () => {
    expect(checkNumberText(width, '300')).toEqual({ ok: true, value: 304, reason: '300 is not a multiple of 8' })
    expect(checkNumberText(width, '299')).toMatchObject({ value: 296 })
    expect(conformNumber({ whole: true, min: 64, max: 4090, step: 8, precision: 0, multipleOf: 8 }, 4090).value).toBe(4088)
    expect(checkNumberText(steps, '4.6')).toEqual({ ok: true, value: 5, reason: '4.6 is not a whole number' })
  })

  it('refuses text that is not a plain number', () => {
    expect(checkNumberText(steps, 'abc')).toEqual({ ok: false, error: '"abc" is not a number' })
    expect(checkNumberText(steps, '')).toEqual({ ok: false, error: 'an empty value is not a number' })
    expect(checkNumberText(steps, '2*3')).toMatchObject({ ok: false })
    expect(checkNumberText(steps, ' 7 ')).toEqual({ ok: true, value: 7 })
  })
})

describe('floats declared with snap', () => {
  const gamma = numberRule(tscdSampler.inputs.eta as FloatSpec)
  const cfg = numberRule(tscdSampler.inputs.cfg as FloatSpec)
  const rule = (spec: Omit<FloatSpec, 'kind' | 'default'>) => numberRule({ kind: 'float', default: 0, snap: true, ...spec })
  // A LoRA-scale-like range with snap (the LoRA scale itself is not snapped: 0.82 is a value people use).
  const scale = rule({ min: -4, max: 4, step: 0.05, precision: 2 })

  it('snap typed values to the step and say so; floats without snap keep their precision only', () => {
    expect(gamma.snap).toBe(true)
    expect(numberRule(unetLora.inputs.scale as FloatSpec).snap).toBeUndefined()
    expect(checkNumberText(scale, '0.512')).toEqual({ ok: true, value: 0.5, reason: '0.512 is not on a 0.05 step' })
    expect(changeNote('scale', '0.512 is not on a 0.05 step', 0.5)).toBe('scale: 0.512 is not on a 0.05 step; set to 0.5')
    expect(checkNumberText(scale, '0.53')).toMatchObject({ value: 0.55 })
    expect(checkNumberText(gamma, '0.33')).toMatchObject({ value: 0.35 })
    expect(cfg.snap).toBeUndefined()
    expect(checkNumberText(cfg, '7.3')).toEqual({ ok: true, value: 7.3 })
  })

  it('drop float noise without a note when the value is on its step', () => {
    expect(conformNumber(rule({ min: 0, max: 1, step: 0.1, precision: 1 }), 0.1 + 0.2)).toEqual({ value: 0.3 })
    expect(conformNumber(scale, 0.7)).toEqual({ value: 0.7 })
    expect(conformNumber(scale, -1.0000003814697265)).toEqual({ value: -1 })
    expect(conformNumber(scale, 0.4999999999999996)).toEqual({ value: 0.5 })
    // 0.525 / 0.05 is 10.500000000000002 in floats: the tie goes up as 0.575 / 0.05 (11.499999999999998) does.
    expect(conformNumber(scale, 0.525).value).toBe(0.55)
    expect(conformNumber(scale, 0.575).value).toBe(0.6)
  })

  it('count steps from min in negative ranges and where min is not a multiple of the step', () => {
    const negative = rule({ min: -2.5, max: -0.5, step: 0.2, precision: 1 })
    expect(conformNumber(negative, -1.05)).toEqual({ value: -1.1, reason: '-1.05 is not on a 0.2 step from -2.5' })
    expect(conformNumber(negative, -0.5).value).toBe(-0.5)
    expect(conformNumber(scale, -3.97)).toMatchObject({ value: -3.95 })
    const offset = rule({ min: 0.03, max: 1, step: 0.05, precision: 1 })
    // The precision is widened so the grid 0.03, 0.08, 0.13 ... survives rounding.
    expect(offset.precision).toBe(2)
    expect(conformNumber(offset, 0.1)).toEqual({ value: 0.08, reason: '0.1 is not on a 0.05 step from 0.03' })
    expect(conformNumber(offset, 0.11).value).toBe(0.13)
  })

  it('stay within max when max is off the step, and clamp before snapping', () => {
    const coarse = rule({ min: 0, max: 1, step: 0.4 })
    expect(snapToStep(coarse, 1)).toBe(0.8)
    expect(conformNumber(coarse, 0.95)).toEqual({ value: 0.8, reason: '0.95 is not on a 0.4 step' })
    expect(conformNumber(rule({ min: 0, max: 0.3, step: 0.1 }), 0.3).value).toBe(0.3)
    expect(checkNumberText(scale, '9')).toEqual({ ok: true, value: 4, reason: '9 is above the maximum 4' })
    expect(snapToStep(rule({ step: 0.25 }), -0.3)).toBe(-0.25)
  })

  it('apply to drags from an off-step value, and validation still accepts off-step values from files', () => {
    expect(conformNumber(scale, dragValue(scale, 0.33, 10, false)).value).toBe(0.4)
    expect(checkWidgetValue(unetLora.inputs.scale, 0.33)).toBeUndefined()
  })
})

describe('drags', () => {
  it('move a bounded number of steps: 60 px on steps and 40 px on a LoRA scale are small changes', () => {
    expect(dragValue(steps, 6, 60, false)).toBe(12)
    expect(dragValue(scale, 1, -40, false)).toBe(0.8)
    expect(dragValue(scale, 1, -40, false)).not.toBe(-1)
  })

  it('span at most the whole range across a full-width drag, and Shift is ten times finer', () => {
    expect(pixelsPerStep(width, false) * ((width.max! - width.min!) / width.step)).toBeGreaterThanOrEqual(300)
    expect(pixelsPerStep(steps, true)).toBe(pixelsPerStep(steps, false) * 10)
    expect(dragValue(steps, 6, 60, true)).toBe(6)
    expect(dragValue(steps, 6, 200, true)).toBe(8)
    expect(dragValue(steps, 6, 10_000, false)).toBe(50)
  })
})

describe('validation uses the same rules', () => {
  it('reports sizes off their multiple before running', () => {
    expect(checkWidgetValue(emptyLatent.inputs.width, 300)).toEqual({ code: 'out-of-range', detail: '300 is not a multiple of 8' })
    expect(checkWidgetValue(emptyLatent.inputs.width, 304)).toBeUndefined()
    expect(checkWidgetValue(tscdSampler.inputs.steps, -4)).toEqual({ code: 'out-of-range', detail: '-4 is below the minimum 1' })
  })
})

describe('inactive inputs', () => {
  it('eta only applies to the TCD scheduler, declared as data', () => {
    const when = tscdSampler.inputs.eta.activeWhen
    expect(when).toEqual({ input: 'scheduler', in: ['tcd'] })
    expect(inactiveReason(when, { scheduler: 'tcd' })).toBeUndefined()
    expect(inactiveReason(when, { scheduler: 'ddim-trailing' })).toBe('ignored by scheduler ddim-trailing (only used with tcd)')
    expect(inactiveReason(undefined, {})).toBeUndefined()
  })
})
