// Model names are what graphs store, and the worker resolves them as paths: a name must be a safe relative path
// (no "..", no absolute or URL form), and no two names may overlap, since the longest mount-name prefix of a path
// decides where it is read ("my-loras" would swallow "my-loras/x.safetensors" of another entry).

const MAX_NAME_LENGTH = 200
/** Letters and digits of any script, and punctuation that is harmless in paths, menus and file names. */
const SEGMENT = /^[\p{L}\p{N}][\p{L}\p{N} ._\-+()@,'[\]&#~]*$/u

/** Why `name` cannot be a model name (path rules only), or null when it can. */
export function modelNamePathProblem(name: string): string | null {
  if (name.trim() === '') return 'the name is empty'
  if (name !== name.trim()) return 'the name starts or ends with a space'
  if (name.length > MAX_NAME_LENGTH) return `the name is longer than ${MAX_NAME_LENGTH} characters`
  if (/^[a-z][a-z0-9+.-]*:/i.test(name)) return 'the name looks like a URL'
  for (const segment of name.split('/')) {
    if (segment === '') return 'the name has an empty path part ("//" or a leading or trailing "/")'
    if (segment === '.' || segment === '..') return `the name has a "${segment}" path part`
    if (!SEGMENT.test(segment)) return `"${segment}" has characters other than letters, digits, spaces and . _ - + ( ) @ , ' [ ] & # ~, or does not start with a letter or digit`
  }
  return null
}

/** True when one name is the other or a folder above it ("a" and "a/b"), segment by segment. */
export function namesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)
}

/** Why `name` cannot be given to an entry next to `others` (the other entries' names), or null when it can. */
export function modelNameProblem(name: string, others: Iterable<string>): string | null {
  const pathProblem = modelNamePathProblem(name)
  if (pathProblem) return pathProblem
  for (const other of others) {
    if (other === name) return `a model named "${name}" already exists`
    if (namesOverlap(name, other)) return `"${name}" overlaps the model "${other}" (one would be read inside the other)`
  }
  return null
}

/** A usable name from a file or folder name: unsafe characters become "_". */
export function sanitizeModelName(raw: string): string {
  const cleaned = raw
    .trim()
    .replace(/[^\p{L}\p{N} ._\-+()@,'[\]&#~]/gu, '_')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .slice(0, MAX_NAME_LENGTH)
    .trim()
  return cleaned === '' ? 'model' : cleaned
}

/** `base`, or `base-2`, `base-3`... (before a file extension) until it fits next to `others`. */
export function uniqueModelName(base: string, others: readonly string[]): string {
  const safe = sanitizeModelName(base)
  if (modelNameProblem(safe, others) === null) return safe
  const dot = safe.search(/\.(safetensors|onnx)$/i)
  const stem = dot > 0 ? safe.slice(0, dot) : safe
  const ext = dot > 0 ? safe.slice(dot) : ''
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}${ext}`
    if (modelNameProblem(candidate, others) === null) return candidate
  }
}
