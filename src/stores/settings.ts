// User settings, kept in localStorage: backend preference, auto-run, loading a graph's models when it opens, and the
// batch count.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { BackendPreference } from '../worker/protocol.js'
import { BACKENDS, initialBackend, readStoredSettings, SETTINGS_KEY } from '../worker/stored-settings.js'
import { batchCountOrNull } from './batch-count.js'

export const useSettings = defineStore('settings', () => {
  const stored = readStoredSettings()
  const backend = ref<BackendPreference>(initialBackend(stored))
  const autoRun = ref(stored.autoRun === true)
  /** Load the open graph's models before its first run: on unless turned off here or by `?warmup=off` in the URL. */
  const warmUpQuery = new URLSearchParams(location.search).get('warmup')
  const warmUp = ref(warmUpQuery === 'off' ? false : warmUpQuery === 'on' ? true : stored.warmUp !== false)

  /** Runs queued per Run (ComfyUI's batch count), seed controls applied between them. */
  const batchCount = ref(batchCountOrNull(stored.batchCount) ?? 1)

  watch([backend, autoRun, warmUp, batchCount], () => {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ backend: backend.value, autoRun: autoRun.value, warmUp: warmUp.value, batchCount: batchCount.value }))
  })

  return { backend, autoRun, warmUp, batchCount, backends: BACKENDS }
})
