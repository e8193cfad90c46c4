// Download rate and ETA (shown per pull and for the file in flight in the Models tab, and on the CLI's progress
// bar): a sliding window over the bytes received, on a fake clock.
import { describe, expect, it } from 'vitest'
import { RateMeter } from '../../src/hub/progress.js'

function meterAt(times: number[]): RateMeter {
  let i = 0
  return new RateMeter(() => times[Math.min(i++, times.length - 1)]!)
}

describe('RateMeter', () => {
  it('reports bytes per second and the seconds left for the remaining bytes', () => {
    const meter = meterAt([0, 1000, 2000])
    meter.record(0)
    meter.record(1_000_000)
    meter.record(2_000_000)
    expect(meter.sample(6_000_000)).toEqual({ bytesPerSecond: 1_000_000, etaSeconds: 6 })
  })

  it('has no rate before time has passed, and no ETA without a rate or a known total', () => {
    const meter = meterAt([0, 0])
    meter.record(0)
    expect(meter.sample(100)).toEqual({ bytesPerSecond: 0, etaSeconds: undefined })
    meter.record(500)
    expect(meter.sample(100).etaSeconds).toBeUndefined()
    const moving = meterAt([0, 1000])
    moving.record(0)
    moving.record(500)
    expect(moving.sample(undefined)).toEqual({ bytesPerSecond: 500, etaSeconds: undefined })
  })

  it('forgets samples older than its window, so a stall shows in the rate', () => {
    // 10 MB/s for 4 s, then 1 MB/s: after 8 s the window holds only the slow seconds.
    const times = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]
    const bytes = [0, 10e6, 20e6, 30e6, 40e6, 41e6, 42e6, 43e6, 44e6]
    const meter = meterAt(times)
    for (const b of bytes) meter.record(b)
    expect(meter.sample(4e6)).toEqual({ bytesPerSecond: 1e6, etaSeconds: 4 })
  })
})
