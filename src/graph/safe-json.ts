// A strict JSON reader for untrusted files. JSON.parse in V8 no longer reports where a syntax error is, and it
// happily creates own "__proto__" properties that later spreads or for..in copies can turn into prototype
// pollution. This reader gives line:column for syntax errors and refuses hostile keys (with their JSON path)
// before any object is built with them.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** Keys that can reach an object's prototype when copied or assigned naively. */
export const HOSTILE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError'
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} at line ${line}:${column}`)
  }
}

export class HostileKeyError extends Error {
  override readonly name = 'HostileKeyError'
  constructor(
    readonly key: string,
    readonly path: string,
  ) {
    super(`${path}: forbidden key "${key}"`)
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** Formats a JSON path like `nodes[2].inputs.__proto__` (keys that are not identifiers are quoted). */
export function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out === '' ? '(root)' : out
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

/** Parses JSON text; throws JsonSyntaxError (with line:column) or HostileKeyError (with the key's path). */
export function parseJsonSafely(text: string): JsonValue {
  return new Reader(text).document()
}

class Reader {
  private pos = 0
  private readonly path: (string | number)[] = []

  constructor(private readonly text: string) {}

  document(): JsonValue {
    // A UTF-8 byte order mark is common in files saved by Windows editors.
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1
    this.skipSpace()
    if (this.pos >= this.text.length) this.fail('empty document')
    const value = this.value(0)
    this.skipSpace()
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the JSON value`)
    return value
  }

  private value(depth: number): JsonValue {
    if (depth > 512) this.fail('nesting deeper than 512 levels')
    const ch = this.text[this.pos]
    switch (ch) {
      case '{':
        return this.object(depth)
      case '[':
        return this.array(depth)
      case '"':
        return this.string()
      case 't':
        return this.literal('true', true)
      case 'f':
        return this.literal('false', false)
      case 'n':
        return this.literal('null', null)
      default:
        if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number()
        return this.fail(`unexpected ${this.describeHere()}`)
    }
  }

  private object(depth: number): { [key: string]: JsonValue } {
    this.pos++ // '{'
    const result: { [key: string]: JsonValue } = {}
    this.skipSpace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return result
    }
    for (;;) {
      this.skipSpace()
      if (this.text[this.pos] !== '"') this.fail(`expected a property name in double quotes, found ${this.describeHere()}`)
      const keyStart = this.pos
      const key = this.string()
      if (HOSTILE_KEYS.has(key)) throw new HostileKeyError(key, formatPath([...this.path, key]))
      if (Object.hasOwn(result, key)) {
        this.pos = keyStart
        this.fail(`duplicate key "${key}" in ${formatPath(this.path)}`)
      }
      this.skipSpace()
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after property name, found ${this.describeHere()}`)
      this.pos++
      this.skipSpace()
      this.path.push(key)
      const value = this.value(depth + 1)
      this.path.pop()
      // Safe: hostile keys were refused above, so this assignment can only create an own data property.
      result[key] = value
      this.skipSpace()
      const next = this.text[this.pos]
      this.pos++
      if (next === '}') return result
      if (next !== ',') {
        this.pos--
        this.fail(`expected ',' or '}' in object, found ${this.describeHere()}`)
      }
    }
  }

  private array(depth: number): JsonValue[] {
    this.pos++ // '['
    const result: JsonValue[] = []
    this.skipSpace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return result
    }
    for (;;) {
      this.skipSpace()
      this.path.push(result.length)
      result.push(this.value(depth + 1))
      this.path.pop()
      this.skipSpace()
      const next = this.text[this.pos]
      this.pos++
      if (next === ']') return result
      if (next !== ',') {
        this.pos--
        this.fail(`expected ',' or ']' in array, found ${this.describeHere()}`)
      }
    }
  }

  private string(): string {
    const start = this.pos
    this.pos++ // opening quote
    let simple = true
    for (;;) {
      const code = this.text.charCodeAt(this.pos)
      if (Number.isNaN(code)) {
        this.pos = start
        this.fail('unterminated string')
      }
      if (code === 0x22) break // closing quote
      if (code < 0x20) this.fail('control character in string (escape it as \\n, \\t...)')
      if (code === 0x5c) {
        simple = false
        const esc = this.text[this.pos + 1]
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail('invalid \\u escape')
          this.pos += 6
          continue
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) this.fail(`invalid escape "\\${esc ?? ''}"`)
        this.pos += 2
        continue
      }
      this.pos++
    }
    this.pos++ // closing quote
    const raw = this.text.slice(start + 1, this.pos - 1)
    // The escapes were checked above, so JSON.parse of the token cannot fail and only decodes them.
    return simple ? raw : (JSON.parse(this.text.slice(start, this.pos)) as string)
  }

  private number(): number {
    NUMBER.lastIndex = this.pos
    const match = NUMBER.exec(this.text)
    if (!match) return this.fail('invalid number')
    this.pos += match[0].length
    const value = Number(match[0])
    if (!Number.isFinite(value)) {
      this.pos -= match[0].length
      this.fail(`number ${match[0]} is out of range`)
    }
    return value
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length
      return value
    }
    return this.fail(`unexpected ${this.describeHere()}`)
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++
      else return
    }
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return 'end of input'
    const ch = this.text[this.pos]!
    return /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : `character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  }

  private fail(detail: string): never {
    let line = 1
    let lineStart = 0
    for (let i = 0; i < this.pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++
        lineStart = i + 1
      }
    }
    throw new JsonSyntaxError(detail, line, this.pos - lineStart + 1)
  }
}

/**
 * Checks an already-built value (e.g. one handed over by postMessage or JSON.parse) for hostile keys,
 * reading own keys only. Throws HostileKeyError naming the first one found.
 */
export function assertNoHostileKeys(value: unknown, path: (string | number)[] = []): void {
  // Depth-first in document order with an explicit stack: a value handed over by postMessage has no depth limit.
  // Each entry links to its parent, so the path is built only for the error.
  interface Entry {
    readonly value: unknown
    readonly key?: string | number
    readonly parent?: Entry
  }
  const pathOf = (entry: Entry): (string | number)[] => {
    const parts: (string | number)[] = []
    for (let at: Entry | undefined = entry; at?.key !== undefined; at = at.parent) parts.push(at.key)
    return [...path, ...parts.reverse()]
  }
  const stack: Entry[] = [{ value }]
  while (stack.length > 0) {
    const entry = stack.pop()!
    if (typeof entry.key === 'string' && HOSTILE_KEYS.has(entry.key)) throw new HostileKeyError(entry.key, formatPath(pathOf(entry)))
    const current = entry.value
    if (typeof current !== 'object' || current === null) continue
    const children: Entry[] = Array.isArray(current)
      ? current.map((item, i) => ({ value: item, key: i, parent: entry }))
      : Object.getOwnPropertyNames(current).map((key) => ({ value: (current as Record<string, unknown>)[key], key, parent: entry }))
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
  }
}
