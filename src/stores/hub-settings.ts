// Where Hugging Face downloads come from: the Hub endpoint (a mirror, or a test server) and an optional token for
// gated repositories, kept in this browser's localStorage.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { chooseEndpoint, DEFAULT_ENDPOINT } from '../hub/endpoint.js'

const KEY = 'hypersd.hub'

function readStored(): { endpoint?: unknown; token?: unknown } {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}')
    return typeof parsed === 'object' && parsed !== null ? (parsed as { endpoint?: unknown; token?: unknown }) : {}
  } catch {
    return {}
  }
}

export const useHubSettings = defineStore('hub-settings', () => {
  const stored = readStored()
  const endpoint = ref(typeof stored.endpoint === 'string' ? stored.endpoint : DEFAULT_ENDPOINT)
  const token = ref(typeof stored.token === 'string' ? stored.token : '')
  /** Why the endpoint cannot be used, or null. */
  const endpointProblem = computed(() => {
    try {
      chooseEndpoint(endpoint.value, undefined)
      return null
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
  })
  watch([endpoint, token], () => localStorage.setItem(KEY, JSON.stringify({ endpoint: endpoint.value.trim(), token: token.value.trim() })))
  const resolvedEndpoint = (): string => chooseEndpoint(endpoint.value, undefined)
  return { endpoint, token, endpointProblem, resolvedEndpoint }
})
