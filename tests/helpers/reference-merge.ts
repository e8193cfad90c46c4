// The tests' own LoRA merge arithmetic, in float64 and written independently of src/lora: the reference that the
// product's merge and live modes are checked against.

export interface Factors {
  readonly data: Float32Array
  readonly shape: readonly number[]
}

/**
 * w += scale * alphaScale * up @ down, for a weight stored [out, cols] or, when `transposed` (a MatMul's [in, out]
 * layout), [cols, out]. alphaScale is alpha / rank.
 */
export function addLoraProduct(w: Float64Array, up: Factors, down: Factors, alphaScale: number, scale: number, transposed: boolean): void {
  const rank = down.shape[0]!
  const out = up.shape[0]!
  const cols = down.data.length / rank
  for (let o = 0; o < out; o++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0
      for (let r = 0; r < rank; r++) sum += up.data[o * rank + r]! * down.data[r * cols + c]!
      w[transposed ? c * out + o : o * cols + c]! += scale * alphaScale * sum
    }
  }
}
