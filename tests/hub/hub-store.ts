// The mock Hub's view of a repo: every file's hashes and the folder tree, computed once at start-up
// the way git and git-lfs compute them, so the ids the mock serves are the ids a real Hub would serve.
import { createHash } from 'node:crypto'
import type { HubFile, HubRepo } from './mock-hub.js'

export interface StoredFile {
  readonly path: string
  readonly bytes: Uint8Array
  readonly lfs: boolean
  /** sha256 of the content: the LFS oid, and the ETag of LFS files. */
  readonly sha256: string
  /** git blob id of what git stores: the content, or for LFS files the pointer text. */
  readonly gitOid: string
  /** Length of the LFS pointer text, for the tree's `lfs.pointerSize`. */
  readonly pointerSize: number
}

export interface StoredRepo {
  readonly id: string
  readonly revision: string
  readonly commit: string
  readonly gated: boolean
  readonly files: ReadonlyMap<string, StoredFile>
  /** Every folder (repo-relative path, '' for the root) with its git tree id. */
  readonly folders: ReadonlyMap<string, string>
}

export type TreeEntry =
  | { type: 'file'; oid: string; size: number; path: string; lfs?: { oid: string; size: number; pointerSize: number } }
  | { type: 'directory'; oid: string; size: 0; path: string }

const LFS_EXTENSIONS = ['.onnx', '.onnx_data', '.safetensors', '.bin', '.ckpt', '.pb']
const LFS_SIZE_THRESHOLD = 10 * 1024

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A deterministic hash that is not the real one, for the `wrongSha` fault. */
export function wrongHashOf(hex: string): string {
  return createHash(hex.length === 64 ? 'sha256' : 'sha1').update(`wrong:${hex}`).digest('hex')
}

function gitObjectId(kind: 'blob' | 'tree', content: Uint8Array): string {
  return createHash('sha1').update(`${kind} ${content.byteLength}\0`).update(content).digest('hex')
}

function lfsPointerText(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`
}

function isLfs(file: HubFile): boolean {
  if (file.lfs !== undefined) return file.lfs
  return LFS_EXTENSIONS.some((extension) => file.path.endsWith(extension)) || file.bytes.byteLength > LFS_SIZE_THRESHOLD
}

function storeFile(file: HubFile): StoredFile {
  const lfs = isLfs(file)
  const sha256 = sha256Hex(file.bytes)
  const pointer = new TextEncoder().encode(lfsPointerText(sha256, file.bytes.byteLength))
  return {
    path: file.path,
    bytes: file.bytes,
    lfs,
    sha256,
    gitOid: gitObjectId('blob', lfs ? pointer : file.bytes),
    pointerSize: pointer.byteLength,
  }
}

export function parentFolder(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash)
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** Git tree ids, bottom-up: entries sorted the way git sorts them (a folder compares as "name/"). */
function folderTreeIds(files: ReadonlyMap<string, StoredFile>): Map<string, string> {
  const children = new Map<string, { name: string; isFolder: boolean }[]>([['', []]])
  const addChild = (folder: string, name: string, isFolder: boolean): void => {
    const list = children.get(folder)
    if (list) {
      if (!list.some((child) => child.name === name)) list.push({ name, isFolder })
      return
    }
    children.set(folder, [{ name, isFolder }])
    if (folder !== '') addChild(parentFolder(folder), baseName(folder), true)
  }
  for (const path of files.keys()) addChild(parentFolder(path), baseName(path), false)

  const ids = new Map<string, string>()
  const treeId = (folder: string): string => {
    const known = ids.get(folder)
    if (known) return known
    const sortKey = (child: { name: string; isFolder: boolean }): string => (child.isFolder ? `${child.name}/` : child.name)
    const entries = [...(children.get(folder) ?? [])].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
    const parts: Uint8Array[] = entries.map((child) => {
      const path = folder === '' ? child.name : `${folder}/${child.name}`
      const oid = child.isFolder ? treeId(path) : (files.get(path)?.gitOid ?? '')
      const header = Buffer.from(`${child.isFolder ? '40000' : '100644'} ${child.name}\0`)
      return Buffer.concat([header, Buffer.from(oid, 'hex')])
    })
    const id = gitObjectId('tree', Buffer.concat(parts))
    ids.set(folder, id)
    return id
  }
  for (const folder of children.keys()) treeId(folder)
  return ids
}

export function storeRepo(repo: HubRepo): StoredRepo {
  const revision = repo.revision ?? 'main'
  const files = new Map(repo.files.map((file) => [file.path.replace(/^\/+/, ''), storeFile(file)]))
  return {
    id: repo.id,
    revision,
    commit: repo.commit ?? createHash('sha1').update(`commit ${repo.id}@${revision}`).digest('hex'),
    gated: repo.gated ?? false,
    files,
    folders: folderTreeIds(files),
  }
}

/**
 * The tree API's listing of `folder`: direct children, or with `recursive` every descendant, sorted by path
 * (so a folder comes right before its contents). `undefined` when the folder does not exist.
 */
export function listTree(
  repo: StoredRepo,
  folder: string,
  recursive: boolean,
  hasWrongSha: (path: string) => boolean,
): TreeEntry[] | undefined {
  if (!repo.folders.has(folder)) return undefined
  const isListed = (path: string): boolean => {
    if (folder !== '' && !path.startsWith(`${folder}/`)) return false
    return recursive || parentFolder(path) === folder
  }
  const entries: TreeEntry[] = []
  for (const [path, oid] of repo.folders) {
    if (path !== '' && path !== folder && isListed(path)) entries.push({ type: 'directory', oid, size: 0, path })
  }
  for (const file of repo.files.values()) {
    if (!isListed(file.path)) continue
    const wrong = hasWrongSha(file.path)
    const size = file.bytes.byteLength
    entries.push({
      type: 'file',
      oid: wrong && !file.lfs ? wrongHashOf(file.gitOid) : file.gitOid,
      size,
      path: file.path,
      ...(file.lfs
        ? { lfs: { oid: wrong ? wrongHashOf(file.sha256) : file.sha256, size, pointerSize: file.pointerSize } }
        : {}),
    })
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
