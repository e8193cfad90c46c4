// The worker's one FileSource over many places: a model name resolves to the mount whose name is its longest
// prefix ("my-loras/x.safetensors" -> mount "my-loras", path "x.safetensors"; a file mount matches its exact name),
// anything else to the fallback (the app's bundled models/ URL). Hub downloads ("OWNER/REPO") are directory mounts
// like any other. Paths that could climb out of a mount are refused before any mount sees them.
import type { FileSource, ListedFile } from '../files.js'
import { relativePathProblem } from '../relative-path.js'

export interface RoutedMount {
  readonly name: string
  /** A file mount is one file, found by its exact name; a directory mount holds paths below its name. */
  readonly kind: 'directory' | 'file'
  readonly files: FileSource
}

export interface Route {
  readonly files: FileSource
  /** The path inside `files`. */
  readonly path: string
  /** The mount's name, or undefined for the fallback. */
  readonly mount?: string
}

const ABSOLUTE_URL = /^https?:\/\/[^/]/i

/**
 * A model name as a path inside the models folder, or an absolute http(s) URL kept as is (a model hosted elsewhere,
 * fetched with CORS); a name that could climb out ("..", ".") is refused.
 */
export function modelPath(name: string): string {
  if (ABSOLUTE_URL.test(name)) return name
  const path = name.replace(/\\/g, '/').replace(/^\/+/, '')
  if (path === '' || path.split('/').some((part) => part === '..' || part === '.') || relativePathProblem(path) !== undefined) {
    throw new Error(`model name "${name}" is not a path inside the models folder`)
  }
  return path
}

export class RoutingFileSource implements FileSource {
  private mounts: readonly RoutedMount[] = []

  constructor(
    private readonly fallback: FileSource,
    mounts: readonly RoutedMount[] = [],
  ) {
    this.setMounts(mounts)
  }

  /** Replaces the mounts (the catalog changed); a later mount with a name already taken is ignored. */
  setMounts(mounts: readonly RoutedMount[]): void {
    const seen = new Set<string>()
    this.mounts = mounts.filter((m) => !seen.has(m.name) && seen.add(m.name))
  }

  get mountNames(): readonly string[] {
    return this.mounts.map((m) => m.name)
  }

  /** Where `path` is read. The root ('') and URLs go to the fallback. */
  route(path: string): Route {
    if (path === '' || ABSOLUTE_URL.test(path)) return { files: this.fallback, path }
    const clean = modelPath(path).replace(/\/+$/, '')
    let best: RoutedMount | undefined
    for (const mount of this.mounts) {
      const matches = clean === mount.name || (mount.kind === 'directory' && clean.startsWith(`${mount.name}/`))
      if (matches && (!best || mount.name.length > best.name.length)) best = mount
    }
    if (!best) return { files: this.fallback, path: clean }
    return { files: best.files, path: clean === best.name ? '' : clean.slice(best.name.length + 1), mount: best.name }
  }

  describe(path: string): string {
    const route = this.route(path)
    return route.files.describe(route.path)
  }

  exists(path: string): Promise<boolean> {
    const route = this.route(path)
    return route.files.exists(route.path)
  }

  readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const route = this.route(path)
    return route.files.readBytes(route.path, onProgress)
  }

  readText(path: string): Promise<string> {
    const route = this.route(path)
    return route.files.readText(route.path)
  }

  size(path: string): Promise<number | undefined> {
    const route = this.route(path)
    return route.files.size(route.path)
  }

  readAhead(paths: readonly string[]): void {
    for (const path of paths) {
      const route = this.route(path)
      route.files.readAhead?.([route.path])
    }
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const route = this.route(path)
    if (route.files.readRange) return route.files.readRange(route.path, start, end)
    return (await route.files.readBytes(route.path)).subarray(start, end)
  }

  async listFiles(path: string): Promise<readonly ListedFile[]> {
    const route = this.route(path)
    if (!route.files.listFiles) throw new Error(`${route.files.describe(route.path)}: this location cannot list its files`)
    return route.files.listFiles(route.path)
  }
}
