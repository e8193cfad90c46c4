import { describe, expect, it } from 'vitest'
import { deviceLossOutcome } from '../../src/stores/device-loss.js'

const REASON = 'the GPU device was lost (unknown: driver reset)'

describe('device loss outcome', () => {
  it('names the node and the step the loss struck, and restarts on a new device the first time', () => {
    const outcome = deviceLossOutcome(REASON, 1, { nodeId: '7', nodeType: 'TSCDSampler', step: { value: 2, max: 8 } }, true)
    expect(outcome.fallBackToWasm).toBe(false)
    expect(outcome.message).toBe(`${REASON} in node 7 (TSCDSampler), step 3 of 8; the run failed, and the next run starts on a new GPU device (cached results are recomputed)`)
  })

  it('moves runs to WASM on the second loss, and says how to get the GPU back', () => {
    const outcome = deviceLossOutcome(REASON, 2, { nodeId: '3', nodeType: 'VAEDecode' }, true)
    expect(outcome.fallBackToWasm).toBe(true)
    expect(outcome.message).toContain(' in node 3 (VAEDecode); the run failed, and the GPU device was lost 2 times, so runs now use WASM (CPU)')
    expect(outcome.message).toContain('choose WebGPU in Settings to try the GPU again')
  })

  it('names no step once the last one is done, and no run when none was going', () => {
    expect(deviceLossOutcome(REASON, 1, { nodeId: '7', step: { value: 8, max: 8 } }, true).message).toContain(' in node 7; the run failed')
    expect(deviceLossOutcome(REASON, 1, null, false).message).toBe(`${REASON}, and the next run starts on a new GPU device (cached results are recomputed)`)
  })
})
