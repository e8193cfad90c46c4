// Translating the project's SessionOptions into onnxruntime's, common to both backends.

import type { InferenceSession } from 'onnxruntime-common'
import type { ModelSource, SessionOptions } from './types.js'

/** Keeps onnxruntime quiet about routine graph rewrites; errors still surface as exceptions. */
const LOG_ERRORS_ONLY = 3

export function ortSessionOptions(
  source: Pick<ModelSource, 'externalData'>,
  options: SessionOptions | undefined,
  executionProviders: readonly string[],
): InferenceSession.SessionOptions {
  return {
    executionProviders: [...executionProviders],
    graphOptimizationLevel: options?.graphOptimizationLevel ?? 'all',
    logSeverityLevel: LOG_ERRORS_ONLY,
    ...(source.externalData && source.externalData.length > 0
      ? { externalData: source.externalData.map((file) => ({ path: file.path, data: file.data })) }
      : {}),
  }
}

/** Rejects what onnxruntime would otherwise report less clearly (or crash on): empty or tiny files. */
export function checkModelBytes(source: ModelSource): void {
  if (source.bytes.byteLength === 0) throw new Error('file is empty')
  for (const file of source.externalData ?? []) {
    if (file.data.byteLength === 0) throw new Error(`external data file "${file.path}" is empty`)
  }
}

/** Stable text for cache keys: the options that change what a session computes or where. */
export function sessionOptionsKey(options: SessionOptions | undefined): string {
  if (!options) return ''
  return JSON.stringify({ ep: options.executionProviders ?? null, opt: options.graphOptimizationLevel ?? null })
}
