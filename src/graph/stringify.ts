// JSON pretty-printing for files people read and diff: 2-space indent, but short flat arrays ([40, 80]) and
// small flat objects ({ "from": ["1", "clip"] }) stay on one line.

const INLINE_LIMIT = 88

export function stringifyJson(value: unknown, indent = ''): string {
  const inline = inlineForm(value)
  if (inline !== undefined && inline.length + indent.length <= INLINE_LIMIT + 12) return inline
  const inner = indent + '  '
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((item) => inner + stringifyJson(item ?? null, inner)).join(',\n')}\n${indent}]`
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (entries.length === 0) return '{}'
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringifyJson(v, inner)}`).join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value ?? null)
}

/** One-line form for primitives, arrays of primitives, and objects holding only those; undefined otherwise. */
function inlineForm(value: unknown, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value ?? null)
  if (depth >= 2) return undefined
  if (Array.isArray(value)) {
    const parts = value.map((item) => (typeof item === 'object' && item !== null ? undefined : JSON.stringify(item ?? null)))
    if (parts.some((p) => p === undefined)) return undefined
    const text = `[${parts.join(', ')}]`
    return text.length <= INLINE_LIMIT ? text : undefined
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return '{}'
  const parts = entries.map(([k, v]) => {
    const inner = Array.isArray(v) ? inlineForm(v, depth + 1) : typeof v === 'object' && v !== null ? undefined : JSON.stringify(v)
    return inner === undefined ? undefined : `${JSON.stringify(k)}: ${inner}`
  })
  if (parts.some((p) => p === undefined)) return undefined
  const text = `{ ${parts.join(', ')} }`
  return text.length <= INLINE_LIMIT ? text : undefined
}
