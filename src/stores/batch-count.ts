// The batch count: how many runs one Run queues (ComfyUI's "Batch count"), each with the seed controls applied
// after the one before, as ComfyUI does. Bounded so that a slip of the keyboard cannot queue thousands of runs.

export const MAX_BATCH_COUNT = 100

/** A stored or typed batch count, if it is one. */
export function batchCountOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_BATCH_COUNT ? value : null
}

/** What a typed batch count becomes, and why when it is not taken as typed. */
export function acceptBatchCount(typed: string): { value: number; why?: string } {
  const number = Number(typed.trim())
  if (typed.trim() === '' || !Number.isFinite(number)) return { value: 1, why: `"${typed.slice(0, 20)}" is not a number: batch count set to 1` }
  const value = Math.min(MAX_BATCH_COUNT, Math.max(1, Math.round(number)))
  if (value === number) return { value }
  const bound = number > MAX_BATCH_COUNT ? `at most ${MAX_BATCH_COUNT}` : number < 1 ? 'at least 1' : 'a whole number'
  return { value, why: `Batch count is ${bound}: set to ${value}` }
}
