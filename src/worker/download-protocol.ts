// Messages between the UI thread and the download worker, which streams Hub files into OPFS (synchronous access
// handles exist only in workers) one pull at a time.
import type { RepoRef } from '../hub/endpoint.js'
import type { HubErrorKind } from '../hub/errors.js'
import type { DownloadManifest } from '../hub/manifest.js'
import type { PullFileProgress, PullProgress } from '../hub/pull.js'
import type { VerifyResult } from '../hub/verify.js'

export interface PullRequest {
  readonly id: string
  readonly endpoint: string
  readonly ref: RepoRef
  /** Paths in the repository; empty: the pipeline's files. */
  readonly files: readonly string[]
  readonly token?: string
}

export type ToDownloads =
  | { readonly type: 'pull'; readonly request: PullRequest }
  /** Stops a pull, keeping what arrived (resume by pulling again). */
  | { readonly type: 'pause'; readonly id: string }
  | { readonly type: 'verify'; readonly id: string; readonly repo: string }
  | { readonly type: 'delete'; readonly id: string; readonly repo: string; readonly paths?: readonly string[] }
  /** The bytes kept of these files of the repository's download record, read where the writes happen. */
  | { readonly type: 'kept'; readonly id: string; readonly repo: string; readonly paths: readonly string[] }

export type FromDownloads =
  | { readonly type: 'started'; readonly id: string }
  | { readonly type: 'progress'; readonly id: string; readonly progress: PullProgress }
  | { readonly type: 'pulled'; readonly id: string; readonly manifest: DownloadManifest; readonly downloaded: readonly string[]; readonly skipped: readonly string[] }
  | { readonly type: 'paused'; readonly id: string }
  | { readonly type: 'failed'; readonly id: string; readonly kind: HubErrorKind | 'internal'; readonly message: string }
  | { readonly type: 'verified'; readonly id: string; readonly result: VerifyResult }
  | { readonly type: 'deleted'; readonly id: string }
  /** No record (nothing was ever listed): undefined. */
  | { readonly type: 'kept'; readonly id: string; readonly files: readonly PullFileProgress[] | undefined }
