// The settings kept in localStorage, read without Vue or Pinia: the settings store reads them, and so does the early
// engine worker's start (early-worker.ts), which needs the backend preference before the app has loaded.
import type { BackendPreference } from './protocol.js'

export const SETTINGS_KEY = 'hypersd.settings'
export const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm']

export interface StoredSettings {
  backend?: unknown
  autoRun?: unknown
  warmUp?: unknown
  batchCount?: unknown
}

export function readStoredSettings(): StoredSettings {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}')
    return typeof parsed === 'object' && parsed !== null ? (parsed as StoredSettings) : {}
  } catch {
    return {}
  }
}

/** The backend asked for by `?backend=` in the URL, else the stored setting, else auto. */
export function initialBackend(stored: StoredSettings = readStoredSettings()): BackendPreference {
  const query = new URLSearchParams(location.search).get('backend')
  return [query, stored.backend].find((b): b is BackendPreference => BACKENDS.includes(b as BackendPreference)) ?? 'auto'
}
