// What went wrong with a Hub request, as a kind the UI and CLI can act on and a message that names the file.

export type HubErrorKind =
  | 'offline' // the machine has no network
  | 'network' // the connection failed or was cut
  | 'cors' // the server answers, but not to this page (no CORS headers)
  | 'gated' // 401/403: a gated or private repository
  | 'not-found' // 404: repository, revision or file
  | 'html' // an HTML page was served instead of the file
  | 'size-mismatch'
  | 'hash-mismatch'
  | 'http' // any other HTTP failure
  | 'aborted' // paused or cancelled by the user
  | 'usage' // a bad repository id, revision or path

export class HubError extends Error {
  override readonly name = 'HubError'
  constructor(
    readonly kind: HubErrorKind,
    message: string,
    readonly details: { readonly url?: string; readonly file?: string; readonly status?: number; /** The Hub's X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo). */ readonly code?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export function isAbort(error: unknown): boolean {
  return (error instanceof HubError && error.kind === 'aborted') || (error instanceof Error && error.name === 'AbortError')
}
