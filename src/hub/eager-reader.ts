// Reads a response body as fast as it arrives, ahead of the (slower) disk writes. A stream that errors drops the
// chunks still queued inside it, so bytes that reached the page before a connection broke would be lost unless
// they were already taken out of the stream: this keeps them, and the resume starts after them.

const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

/**
 * Starts reading at once; the iterable yields every chunk that arrived, in order, and throws the stream's error only
 * after yielding them all.
 */
export function eagerChunks(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader()
  const queue: Uint8Array[] = []
  let buffered = 0
  let finished = false
  let failure: { error: unknown } | undefined
  let wakeConsumer: (() => void) | undefined
  let wakePump: (() => void) | undefined
  const pump = (async () => {
    try {
      for (;;) {
        if (buffered > MAX_BUFFERED_BYTES) await new Promise<void>((resume) => (wakePump = resume))
        const { done, value } = await reader.read()
        if (done) break
        queue.push(value)
        buffered += value.byteLength
        wakeConsumer?.()
      }
    } catch (error) {
      failure = { error }
    } finally {
      finished = true
      wakeConsumer?.()
    }
  })()
  return { [Symbol.asyncIterator]: () => drain() }

  async function* drain(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const chunk = queue.shift()
        if (chunk) {
          buffered -= chunk.byteLength
          wakePump?.()
          wakePump = undefined
          yield chunk
        } else if (finished) break
        else await new Promise<void>((resume) => (wakeConsumer = resume))
        wakeConsumer = undefined
      }
      await pump
      if (failure) throw failure.error
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined)
    }
  }
}
