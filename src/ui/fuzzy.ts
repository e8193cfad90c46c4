// Fuzzy matching for the node search box: a contiguous match ranks first (best at a word start), then all query
// characters in order, scored so that matches at word starts and consecutive runs rank higher.

function isWordStart(text: string, lower: string, i: number): boolean {
  if (i === 0) return true
  const prev = text[i - 1]!
  // A separator before, or a lower-to-upper case change ("VAEDecode": D starts a word).
  return /[\s_\-./]/.test(prev) || (text[i] !== lower[i] && prev === lower[i - 1])
}

export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().trim()
  if (q === '') return 0
  const t = text.toLowerCase()
  let best = -Infinity
  for (let at = t.indexOf(q); at >= 0; at = t.indexOf(q, at + 1)) {
    best = Math.max(best, 100 + (isWordStart(text, t, at) ? 50 : 0) - at * 0.1)
  }
  if (best > -Infinity) return best - t.length * 0.01
  let score = 0
  let ti = 0
  let run = 0
  for (const ch of q.replace(/\s+/g, '')) {
    const found = t.indexOf(ch, ti)
    if (found < 0) return null
    run = found === ti ? run + 1 : 0
    score += 1 + run * 2 + (isWordStart(text, t, found) ? 3 : 0) - Math.min(3, (found - ti) * 0.1)
    ti = found + 1
  }
  return score - t.length * 0.01
}

export interface Searchable {
  readonly type: string
  readonly displayName: string
  readonly category: string
  readonly description?: string
}

/**
 * Orders node declarations for a search query: name matches first, then type and category; a node whose
 * description contains the query word for word ("prompt" finds CLIP Text Encode) comes after those.
 */
export function rankNodes<T extends Searchable>(query: string, nodes: readonly T[]): T[] {
  const q = query.trim().toLowerCase()
  const scored: { node: T; score: number }[] = []
  for (const node of nodes) {
    const best = Math.max(
      (fuzzyScore(query, node.displayName) ?? -Infinity) + 2,
      fuzzyScore(query, node.type) ?? -Infinity,
      (fuzzyScore(query, `${node.category} ${node.displayName}`) ?? -Infinity) - 1,
      q.length >= 3 && node.description?.toLowerCase().includes(q) ? 20 : -Infinity,
    )
    if (best > -Infinity) scored.push({ node, score: best })
  }
  return scored.sort((a, b) => b.score - a.score || a.node.displayName.localeCompare(b.node.displayName)).map((s) => s.node)
}
