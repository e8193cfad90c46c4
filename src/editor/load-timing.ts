// User Timing marks for the stages of loading a graph ("hypersd-load:<stage>"), read by `npm run bench:big-graph`
// to show where a big file's load time goes. A measure costs microseconds.

export function timed<T>(stage: string, work: () => T): T {
  const start = performance.now()
  try {
    return work()
  } finally {
    performance.measure(`hypersd-load:${stage}`, { start, end: performance.now() })
  }
}
