// ComfyUI's prompt emphasis: "(words)" multiplies their weight by 1.1 (nested, 1.21, ...), "(words:1.3)" sets it,
// "\(" and "\)" are literal brackets. Parsed as ComfyUI's sd1_clip parses it, odd inputs included: an unclosed "("
// is text, a stray ")" joins the text around it, and a weight that does not read as a number stays text (after the
// 1.1 the brackets give).

export interface WeightedText {
  readonly text: string
  readonly weight: number
}

// Escaped brackets are swapped for control characters while parsing, then restored (as ComfyUI does).
const ESCAPED_CLOSE = '\u0000\u0001'
const ESCAPED_OPEN = '\u0000\u0002'

/** The prompt as runs of text with their weights, in order. */
export function parseEmphasis(prompt: string): WeightedText[] {
  const escaped = prompt.replaceAll('\\)', ESCAPED_CLOSE).replaceAll('\\(', ESCAPED_OPEN)
  return weighted(escaped, 1).map(({ text, weight }) => ({ text: text.replaceAll(ESCAPED_CLOSE, ')').replaceAll(ESCAPED_OPEN, '('), weight }))
}

/** Top-level pieces: text between groups, and each outermost "(...)" group with its brackets. */
function topLevelPieces(text: string): string[] {
  const pieces: string[] = []
  let current = ''
  let depth = 0
  for (const char of text) {
    if (char === '(') {
      if (depth === 0) {
        if (current) pieces.push(current)
        current = '('
      } else current += char
      depth++
    } else if (char === ')') {
      depth--
      if (depth === 0) {
        pieces.push(current + ')')
        current = ''
      } else current += char
    } else current += char
  }
  if (current) pieces.push(current)
  return pieces
}

function weighted(text: string, current: number): WeightedText[] {
  const out: WeightedText[] = []
  for (const piece of topLevelPieces(text)) {
    if (piece.length >= 2 && piece.startsWith('(') && piece.endsWith(')')) {
      let inner = piece.slice(1, -1)
      let weight = current * 1.1
      const colon = inner.lastIndexOf(':')
      if (colon > 0) {
        const explicit = pythonFloat(inner.slice(colon + 1))
        if (explicit !== undefined) {
          weight = explicit
          inner = inner.slice(0, colon)
        }
      }
      out.push(...weighted(inner, weight))
    } else out.push({ text: piece, weight: current })
  }
  return out
}

const DECIMAL = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i

/** Python's float() of a string: surrounding whitespace allowed, digits may be grouped by "_"; undefined otherwise. */
export function pythonFloat(text: string): number | undefined {
  const trimmed = text.trim()
  if (DECIMAL.test(trimmed)) return Number(trimmed.replaceAll('_', ''))
  if (SPECIAL.test(trimmed)) {
    const negative = trimmed.startsWith('-')
    if (/nan/i.test(trimmed)) return Number.NaN
    return negative ? -Infinity : Infinity
  }
  return undefined
}
