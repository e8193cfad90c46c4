// The fixed embeddings of scripts/fixtures/reward-reference.py (rounded to float32 there too).

export function referenceEmbedding(kind: string): Float32Array {
  const e = new Float32Array(768)
  for (let i = 0; i < 768; i++) {
    switch (kind) {
      case 'sin':
        e[i] = Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3)
        break
      case 'ramp':
        e[i] = (i - 383.5) / 768
        break
      case 'onehot-17':
        e[i] = i === 17 ? 3 : 0
        break
      case 'mixed':
        e[i] = Math.sin(i * i * 0.001) * (i % 3 === 0 ? 2 : -0.5) + 0.05
        break
      default:
        throw new Error(`unknown embedding kind ${kind}`)
    }
  }
  return e
}
