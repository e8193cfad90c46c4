// The batch count a user types: taken when it is a whole number from 1 to 100, else brought within bounds with the reason.
import { describe, expect, it } from 'vitest'
import { acceptBatchCount, batchCountOrNull, MAX_BATCH_COUNT } from '../../src/stores/batch-count.js'

describe('batch count', () => {
  it('takes whole numbers from 1 to 100 as typed', () => {
    expect(acceptBatchCount('3')).toEqual({ value: 3 })
    expect(acceptBatchCount(' 100 ')).toEqual({ value: 100 })
    expect(acceptBatchCount('1')).toEqual({ value: 1 })
  })

  it('brings other values within bounds and says why', () => {
    expect(acceptBatchCount('500')).toEqual({ value: MAX_BATCH_COUNT, why: 'Batch count is at most 100: set to 100' })
    expect(acceptBatchCount('0')).toEqual({ value: 1, why: 'Batch count is at least 1: set to 1' })
    expect(acceptBatchCount('-4')).toEqual({ value: 1, why: 'Batch count is at least 1: set to 1' })
    expect(acceptBatchCount('2.4')).toEqual({ value: 2, why: 'Batch count is a whole number: set to 2' })
    expect(acceptBatchCount('abc')).toEqual({ value: 1, why: '"abc" is not a number: batch count set to 1' })
    expect(acceptBatchCount('')).toEqual({ value: 1, why: '"" is not a number: batch count set to 1' })
  })

  it('reads a stored count only when it is one', () => {
    expect(batchCountOrNull(4)).toBe(4)
    for (const bad of [0, 101, 2.5, '3', null, undefined]) expect(batchCountOrNull(bad)).toBeNull()
  })
})
