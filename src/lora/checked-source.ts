// LoRA files are refused on load when they could only do harm: no tensors at all (nothing would be patched, yet the
// run would look as if the LoRA applied), or factors holding NaN or infinity (the image comes out black or noise).
import type { FloatTensor, SafetensorsSource } from '../models/safetensors/reader.js'

export class LoraFileError extends Error {
  override readonly name = 'LoraFileError'
}

/** Index of the first NaN or infinite element, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i
  return -1
}

/** `source`, refused if it holds no tensors, and with every tensor read checked for non-finite values. */
export function checkedLoraSource(source: SafetensorsSource): SafetensorsSource {
  if (source.tensors.size === 0) throw new LoraFileError(`${source.file}: the LoRA holds no tensors, so nothing would be patched`)
  return {
    file: source.file,
    tensors: source.tensors,
    metadata: source.metadata,
    async readFloats(name: string): Promise<FloatTensor> {
      const tensor = await source.readFloats(name)
      const bad = firstNonFinite(tensor.data)
      if (bad >= 0) {
        throw new LoraFileError(
          `${source.file}: tensor "${name}" holds ${tensor.data[bad]} at element ${bad}; a LoRA with non-finite factors would ruin the image, so it is refused`,
        )
      }
      return tensor
    },
  }
}
