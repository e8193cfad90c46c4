// A safetensors file opened through a FileSource and read tensor by tensor: a 10 GB UNet state dict never becomes one
// buffer (Node's stop at 4 GB). Sources that cannot read a range read the whole file.
import type { FileSource } from '../files.js'
import { readSafetensors, SafetensorsBlob, type BlobLike, type SafetensorsSource } from './reader.js'

/** `path` in `files` as a SafetensorsSource; `label` names it in messages (default: the path as `files` describes it). */
export async function openSafetensorsFile(files: FileSource, path: string, label = files.describe(path)): Promise<SafetensorsSource> {
  const size = await files.size(path)
  const readRange = files.readRange
  if (!readRange || size === undefined) return readSafetensors(await files.readBytes(path), label)
  const blob: BlobLike = {
    size,
    slice: (start = 0, end = size) => ({
      arrayBuffer: async () => {
        const bytes = await readRange.call(files, path, start, end)
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
      },
    }),
  }
  return SafetensorsBlob.open(blob, label)
}
