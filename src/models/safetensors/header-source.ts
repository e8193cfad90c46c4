// A safetensors header read through a FileSource: the 8-byte length, then the JSON header, never the tensor data
// (a multi-gigabyte checkpoint is identified from a few kilobytes). Sources that cannot read a range read the file.
import type { FileSource } from '../files.js'
import { parseHeader, readHeaderLength, SafetensorsError, type SafetensorsHeader } from './header.js'

export async function readSafetensorsHeaderFrom(files: FileSource, path: string): Promise<SafetensorsHeader> {
  const where = files.describe(path)
  const size = await files.size(path)
  if (!files.readRange || size === undefined) {
    const bytes = await files.readBytes(path)
    const length = readHeaderLength(bytes.subarray(0, 8), bytes.byteLength, where)
    return parseHeader(bytes.subarray(8, 8 + length), bytes.byteLength - 8 - length, where)
  }
  const first8 = await files.readRange(path, 0, 8)
  const length = readHeaderLength(first8, size, where)
  const header = await files.readRange(path, 8, 8 + length)
  if (header.byteLength !== length) throw new SafetensorsError('header-length', `${where}: the file ended inside its ${length}-byte header`)
  return parseHeader(header, size - 8 - length, where)
}
