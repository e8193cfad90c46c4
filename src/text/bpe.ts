// Byte-pair encoding of one pre-token, as CLIPTokenizer.bpe: the last symbol carries the '</w>' end-of-word
// suffix, and the pair with the lowest merge rank is merged everywhere until no ranked pair is left.

export const END_OF_WORD = '</w>'
const CACHE_LIMIT = 20_000

export class BytePairEncoder {
  private readonly cache = new Map<string, readonly string[]>()

  /** `ranks` maps "left right" to the merge's priority (0 = first line after the header). */
  constructor(private readonly ranks: ReadonlyMap<string, number>) {}

  get cacheSize(): number {
    return this.cache.size
  }

  encode(token: string): readonly string[] {
    const cached = this.cache.get(token)
    if (cached) return cached
    const result = this.merge(token)
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
    this.cache.set(token, result)
    return result
  }

  private merge(token: string): readonly string[] {
    const chars = Array.from(token)
    if (chars.length === 0) return []
    let word = chars.slice(0, -1)
    word.push(chars[chars.length - 1]! + END_OF_WORD)
    while (word.length > 1) {
      let bestRank = Infinity
      let bestLeft = ''
      let bestRight = ''
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`)
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank
          bestLeft = word[i]!
          bestRight = word[i + 1]!
        }
      }
      if (bestRank === Infinity) break
      const merged: string[] = []
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === bestLeft && word[i + 1] === bestRight) {
          merged.push(bestLeft + bestRight)
          i += 2
        } else {
          merged.push(word[i]!)
          i += 1
        }
      }
      word = merged
    }
    return word
  }
}
