// User settings, kept in localStorage: backend preference, auto-run, and loading a graph's models when it opens.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { BackendPreference } from '../worker/protocol.js'
import { BACKENDS, initialBackend, readStoredSettings, SETTINGS_KEY } from '../worker/stored-settings.js'

export const useSettings = defineStore('settings', () => {
  const stored = readStoredSettings()
  const backend = ref<BackendPreference>(initialBackend(stored))
  const autoRun = ref(stored.autoRun === true)
  /** Load the open graph's models before its first run: on unless turned off here or by `?warmup=off` in the URL. */
  const warmUpQuery = new URLSearchParams(location.search).get('warmup')
  const warmUp = ref(warmUpQuery === 'off' ? false : warmUpQuery === 'on' ? true : stored.warmUp !== false)

  watch([backend, autoRun, warmUp], () => {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ backend: backend.value, autoRun: autoRun.value, warmUp: warmUp.value }))
  })

  return { backend, autoRun, warmUp, backends: BACKENDS }
})
