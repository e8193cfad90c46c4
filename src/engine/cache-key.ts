// Cache keys: a node's identity for caching is its type, version, literal inputs and upstream keys.

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
  return `{${entries.join(',')}}`
}

/** 53-bit string hash (cyrb53); two seeds give a 106-bit key, ample for cache identity. */
function cyrb53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed
  let h2 = 0x41c6ce57 ^ seed
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}

export interface KeyParts {
  readonly type: string
  readonly version: number
  /** Literal input values after defaults are applied. */
  readonly literals: Readonly<Record<string, unknown>>
  /** input name -> [upstream cache key, output name] */
  readonly links: Readonly<Record<string, readonly [string, string]>>
  /** Makes the key unique per run for nodes that must always run. */
  readonly salt?: string
}

export function cacheKey(parts: KeyParts): string {
  const text = canonicalJson(parts)
  return `${cyrb53(text, 1)}${cyrb53(text, 2)}`
}
