// Fuzzy matching for the node search box: all query characters in order, scored so that matches at word
// starts and consecutive runs rank first.

export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, '')
  if (q === '') return 0
  const t = text.toLowerCase()
  let score = 0
  let ti = 0
  let run = 0
  for (const ch of q) {
    const found = t.indexOf(ch, ti)
    if (found < 0) return null
    const wordStart = found === 0 || /[\s_\-./]/.test(t[found - 1]!) || (text[found] !== t[found] && text[found - 1] === t[found - 1])
    run = found === ti ? run + 1 : 0
    score += 1 + run * 2 + (wordStart ? 3 : 0) - Math.min(3, (found - ti) * 0.1)
    ti = found + 1
  }
  return score - t.length * 0.01
}
