// Transfer rate and ETA over a sliding window, so one stalled second does not swing the estimate wildly.

export interface RateSample {
  readonly bytesPerSecond: number
  /** Seconds left at the current rate; undefined while the rate or total is unknown. */
  readonly etaSeconds: number | undefined
}

const WINDOW_MS = 4000

export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = []

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Records that `bytes` have been transferred in total so far (this session, not counting resumed bytes). */
  record(bytes: number): void {
    const at = this.now()
    this.samples.push({ at, bytes })
    while (this.samples.length > 2 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift()
  }

  sample(remainingBytes: number | undefined): RateSample {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    const seconds = first && last ? (last.at - first.at) / 1000 : 0
    const bytesPerSecond = seconds > 0.05 ? (last!.bytes - first!.bytes) / seconds : 0
    const etaSeconds = remainingBytes !== undefined && bytesPerSecond > 0 ? remainingBytes / bytesPerSecond : undefined
    return { bytesPerSecond, etaSeconds }
  }
}
