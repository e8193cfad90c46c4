// Embedding vector helpers shared by the reward scorers: L2 normalisation, cosine similarity and CLIP score.

/** x / ||x||_2 in float64; a zero vector is refused (its direction is undefined). */
export function l2Normalize(x: ArrayLike<number>): Float64Array {
  let norm = 0
  for (let i = 0; i < x.length; i++) norm += x[i]! * x[i]!
  norm = Math.sqrt(norm)
  if (!(norm > 0) || !Number.isFinite(norm)) throw new Error(`cannot normalise an embedding with norm ${norm}`)
  const out = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / norm
  return out
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine similarity of vectors of lengths ${a.length} and ${b.length}`)
  const na = l2Normalize(a)
  const nb = l2Normalize(b)
  let dot = 0
  for (let i = 0; i < na.length; i++) dot += na[i]! * nb[i]!
  return dot
}

/** CLIP score as torchmetrics/Hessel et al. define it: 100 * max(cos(image, text), 0). */
export function clipScore(imageEmbed: ArrayLike<number>, textEmbed: ArrayLike<number>): number {
  return 100 * Math.max(cosineSimilarity(imageEmbed, textEmbed), 0)
}
