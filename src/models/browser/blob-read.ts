// Reading a local File (from a handle, a picker or a drop) with progress, and the error messages for the ways
// File System Access reads fail, each naming the file.

/** Reads the whole blob, reporting progress from its stream when asked to. */
export async function readBlob(blob: Blob, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  if (!onProgress) return new Uint8Array(await blob.arrayBuffer())
  const out = new Uint8Array(blob.size)
  const reader = blob.stream().getReader()
  let loaded = 0
  onProgress(0, blob.size)
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (loaded + value.byteLength > out.byteLength) throw new Error(`the file grew while reading (past ${out.byteLength} bytes)`)
    out.set(value, loaded)
    loaded += value.byteLength
    onProgress(loaded, blob.size)
  }
  if (loaded !== out.byteLength) throw new Error(`the file shrank while reading (${loaded} of ${out.byteLength} bytes)`)
  return out
}

/** An Error naming `where`, with the reason in words for the DOMExceptions File System Access throws. */
export function localFileError(where: string, err: unknown): Error {
  const name = err instanceof Error ? err.name : ''
  const reason =
    name === 'NotFoundError'
      ? 'file not found'
      : name === 'NotAllowedError' || name === 'SecurityError'
        ? 'no permission to read it (grant access in the Models tab)'
        : name === 'TypeMismatchError'
          ? 'is a folder, not a file'
          : name === 'NotReadableError'
            ? 'cannot be read (it changed or was moved since it was added)'
            : err instanceof Error
              ? err.message
              : String(err)
  return new Error(`${where}: ${reason}`, { cause: err })
}
