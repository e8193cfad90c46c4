// Float32 arrays laid end to end (batch rows stacked along the first axis).
export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** `data` laid end to end `times` times (a batch row repeated, a sequence repeated along its tokens). */
export function repeatFloat32(data: Float32Array, times: number): Float32Array {
  return concatFloat32(Array<Float32Array>(times).fill(data))
}
