// Where a new node goes so that it covers no other node (src/editor/free-spot.ts).
import { describe, expect, it } from 'vitest'
import { freeSpot } from '../../src/editor/free-spot.js'
import type { Rect } from '../../src/editor/readable-fit.js'

const VIEW: Rect = [0, 0, 2000, 1000]

describe('freeSpot', () => {
  it('keeps a spot that covers nothing', () => {
    expect(freeSpot([500, 500, 200, 100], [[0, 0, 100, 100]], VIEW, 16)).toEqual([500, 500])
  })

  it('moves down past what it would cover, then past what that brings it onto', () => {
    const others: Rect[] = [[450, 450, 300, 120], [480, 580, 300, 200]]
    // Below the first (bottom 570 + 16) it would sit on the second (580-780): below that, 796.
    expect(freeSpot([500, 500, 200, 100], others, VIEW, 16)).toEqual([500, 796])
  })

  it('moves up instead when down would leave the view', () => {
    const others: Rect[] = [[450, 850, 300, 120]]
    expect(freeSpot([500, 860, 200, 100], others, VIEW, 16)).toEqual([500, 850 - 16 - 100])
  })

  it('stays as asked when neither way clears it within the view', () => {
    const wall: Rect[] = [[0, -100000, 4000, 200000]]
    expect(freeSpot([500, 500, 200, 100], wall, VIEW, 16)).toEqual([500, 500])
  })
})
