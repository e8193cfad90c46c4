// The one check on a relative path read from a file (an ONNX external-data "location", a model name) before it is
// joined to a folder, shared by the CLI (files on disk) and the browser (URLs, where the URL parser resolves
// "%2e%2e" to ".."). Decode, then normalise, then check: anything encoded that could form a path is refused.

/** Percent-encoded '.', '/', '\' or NUL: no honest file name needs them, and each can smuggle a traversal. */
const ENCODED_PATH_CHARACTER = /%(2e|2f|5c|00)/i

/** Why `location` must not be read, or undefined when it names a file inside the folder it is joined to. */
export function relativePathProblem(location: string): string | undefined {
  if (location === '') return 'it is empty'
  let decoded = location
  // Decode until stable (bounded), so double encoding ("%252e") cannot hide a traversal either.
  for (let round = 0; round < 4; round++) {
    if (ENCODED_PATH_CHARACTER.test(decoded)) return 'it holds a percent-encoded path character (encoded traversal)'
    let next: string
    try {
      next = decodeURIComponent(decoded)
    } catch {
      return 'it holds a malformed percent-encoding'
    }
    if (next === decoded) break
    decoded = next
  }
  if (decoded.includes('\0')) return 'it holds a NUL character'
  const normalised = decoded.replace(/\\/g, '/')
  if (normalised.startsWith('/')) return 'it is an absolute path'
  if (/^[a-z][a-z0-9+.-]*:/i.test(normalised)) return 'it names a drive or URL scheme'
  if (normalised.split('/').includes('..')) return 'it climbs out of the folder ("..")'
  return undefined
}
