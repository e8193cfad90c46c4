// Small dense-matrix helpers for LoRA factors (row-major Float32Array).

/** [rows, cols] row-major -> [cols, rows]. */
export function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!
  return out
}
