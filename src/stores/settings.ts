// User settings, kept in localStorage: backend preference and auto-run.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { BackendPreference } from '../worker/protocol.js'

const KEY = 'hypersd.settings'
const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm']

interface StoredSettings {
  backend?: unknown
  autoRun?: unknown
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

  watch([backend, autoRun], () => {
    localStorage.setItem(KEY, JSON.stringify({ backend: backend.value, autoRun: autoRun.value }))
  })

  return { backend, autoRun, backends: BACKENDS }
})
