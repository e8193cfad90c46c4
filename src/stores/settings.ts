// User settings, kept in localStorage: backend preference, auto-run, and loading a graph's models when it opens.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { BackendPreference } from '../worker/protocol.js'

const KEY = 'hypersd.settings'
const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm']

interface StoredSettings {
  backend?: unknown
  autoRun?: unknown
  warmUp?: unknown
}

function readStored(): StoredSettings {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}')
    return typeof parsed === 'object' && parsed !== null ? (parsed as StoredSettings) : {}
  } catch {
    return {}
  }
}

export const useSettings = defineStore('settings', () => {
  const stored = readStored()
  const query = new URLSearchParams(location.search).get('backend')
  const initial = [query, stored.backend].find((b): b is BackendPreference => BACKENDS.includes(b as BackendPreference))
  const backend = ref<BackendPreference>(initial ?? 'auto')
  const autoRun = ref(stored.autoRun === true)
  /** Load the open graph's models before its first run: on unless turned off here or by `?warmup=off` in the URL. */
  const warmUpQuery = new URLSearchParams(location.search).get('warmup')
  const warmUp = ref(warmUpQuery === 'off' ? false : warmUpQuery === 'on' ? true : stored.warmUp !== false)

  watch([backend, autoRun, warmUp], () => {
    localStorage.setItem(KEY, JSON.stringify({ backend: backend.value, autoRun: autoRun.value, warmUp: warmUp.value }))
  })

  return { backend, autoRun, warmUp, backends: BACKENDS }
})
