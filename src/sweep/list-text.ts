// A list of values as one line of text, for `--vary NODE.INPUT=a,b,c` and the editor's sweep form: values are
// separated by commas; a value holding a comma, a quote or edge spaces (a prompt, say) is written in double quotes,
// with a quote inside doubled, as in CSV: "a red, round circle","a ""blue"" square".
export class ListSyntaxError extends Error {
  override readonly name = 'ListSyntaxError'
}

/** The values of a list line. Unquoted values are trimmed; quoted ones are kept exactly. */
export function splitList(text: string): string[] {
  const values: string[] = []
  let i = 0
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++
    if (text[i] === '"') {
      let value = ''
      i++
      for (;;) {
        if (i >= text.length) throw new ListSyntaxError(`a quoted value has no closing quote: ${text.slice(0, 60)}`)
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"'
            i += 2
            continue
          }
          i++
          break
        }
        value += text[i++]
      }
      while (text[i] === ' ' || text[i] === '\t') i++
      if (i < text.length && text[i] !== ',') throw new ListSyntaxError(`unexpected text after a quoted value: ${text.slice(i, i + 30)} (separate values with commas)`)
      values.push(value)
    } else {
      const end = text.indexOf(',', i)
      values.push(text.slice(i, end === -1 ? text.length : end).trim())
      i = end === -1 ? text.length : end
    }
    if (i >= text.length) return values
    i++ // the comma
  }
}

/** Needs quotes to read back as itself: commas, quotes, edge spaces, or (alone) a range or @file reading. */
function needsQuotes(value: string): boolean {
  return /[",]/.test(value) || value !== value.trim() || value === '' || value.startsWith('@') || value.includes(':')
}

/** The list line that splitList reads back as `values`. */
export function formatList(values: readonly (string | number | boolean)[]): string {
  return values.map((v) => (typeof v !== 'string' || !needsQuotes(v) ? String(v) : `"${v.replaceAll('"', '""')}"`)).join(',')
}
