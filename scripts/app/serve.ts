// The server `npm start` runs: the built app (dist/) as static files, cross-origin isolated, on 127.0.0.1 unless told
// otherwise. It replaced `vite preview`, which cost a fresh browser 0.3-0.4 s of the cold first image on 2 cores
// (3.44-3.55 s against 3.12-3.16 s for the same build, 2026-12-07), because on the machine the browser shares it:
// - it answers HEAD by reading the whole file (14-55 ms for the 17 MB UNet, against 0.5 ms), and the engine asks
//   for the size of every model file it reads;
// - it gzips every response whose type looks like text as it sends it (40 ms of CPU for the 1.3 MB app chunk alone),
//   bytes that cost nothing to move over loopback.
// Here HEAD reads nothing, nothing is compressed, hashed build assets are cached for good (a returning browser keeps
// V8's compiled WebAssembly with them), and the rest is revalidated by ETag.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { ISOLATION_HEADERS } from './isolation-headers.js'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
}

/** Build assets carry a content hash in their names (Vite's `assets/` folder): a URL never names other bytes. */
const HASHED_ASSET = /^\/assets\//

export interface ServedApp {
  readonly url: string
  close(): Promise<void>
}

export interface ServeOptions {
  /** The built app's folder. */
  readonly root: string
  readonly host: string
  /** 0 asks the system for a free port. */
  readonly port: number
  /** When the port is taken, try the next ones (as Vite does) instead of failing. */
  readonly nextFreePort?: boolean
}

/** One `bytes=` range of a file of `size` bytes as [start, end), 'unsatisfiable', or undefined for none or several. */
export function parseRange(header: string | undefined, size: number): readonly [number, number] | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  if (match[1] === '') {
    const suffix = Number(match[2])
    return suffix === 0 ? 'unsatisfiable' : [Math.max(0, size - suffix), size]
  }
  const start = Number(match[1])
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  return start >= size || last < start ? 'unsatisfiable' : [start, last + 1]
}

/** The file a URL path names under `root`, or undefined for one that would climb out of it. */
function fileOf(root: string, urlPath: string): string | undefined {
  let path: string
  try {
    path = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  const file = normalize(join(root, path))
  return file === root || file.startsWith(root + sep) ? file : undefined
}

async function answer(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end()
    return
  }
  const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname
  let file = fileOf(root, urlPath)
  if (!file) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden')
    return
  }
  let info = await stat(file).catch(() => undefined)
  if (info?.isDirectory()) {
    file = join(file, 'index.html')
    info = await stat(file).catch(() => undefined)
  }
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${urlPath}`)
    return
  }
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`
  res.setHeader('content-type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
  res.setHeader('cache-control', HASHED_ASSET.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache')
  res.setHeader('etag', etag)
  res.setHeader('last-modified', info.mtime.toUTCString())
  res.setHeader('accept-ranges', 'bytes')
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304).end()
    return
  }
  const range = parseRange(req.headers.range, info.size)
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${info.size}` }).end()
    return
  }
  const [start, end] = range ?? [0, info.size]
  res.setHeader('content-length', String(end - start))
  if (range) res.setHeader('content-range', `bytes ${start}-${end - 1}/${info.size}`)
  res.writeHead(range ? 206 : 200)
  if (req.method === 'HEAD' || end === start) {
    res.end()
    return
  }
  const stream = createReadStream(file, { start, end: end - 1 })
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((listening, failed) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening)
      failed(error)
    }
    const onListening = (): void => {
      server.off('error', onError)
      listening()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

/** How many ports after a taken one are tried. */
const PORT_TRIES = 20

/** Serves `root` until closed. */
export async function serveApp(options: ServeOptions): Promise<ServedApp> {
  const root = normalize(options.root).replace(/[\\/]+$/, '')
  const server = createServer((req, res) => {
    answer(root, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  })
  for (let port = options.port, tries = 0; ; port++, tries++) {
    try {
      await listen(server, options.host, port)
      break
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      if (!taken || !options.nextFreePort || port === 0 || tries >= PORT_TRIES) throw error
    }
  }
  const { port } = server.address() as AddressInfo
  // Listening on every interface: this machine reaches it on loopback.
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/`,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed())
        server.closeAllConnections()
      }),
  }
}
