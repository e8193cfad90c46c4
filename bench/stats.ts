// Small helpers for benchmarks: medians of interleaved runs.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

export const fmt = (ms: number): string => `${ms.toFixed(1)} ms`

/** "median a (min b - max c) over n" for ratios from repeated rounds. */
export function spread(values: readonly number[], digits = 3): string {
  const f = (v: number) => v.toFixed(digits)
  return `median ${f(median(values))} (min ${f(Math.min(...values))}, max ${f(Math.max(...values))}, ${values.length} rounds: ${values.map(f).join(' ')})`
}
