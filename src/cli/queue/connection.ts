// Where the sweep queue lives: a redis:// (or rediss://) URL from --queue, turned into BullMQ connection options.
// Every submitter and worker of a sweep names the same Redis; the queue name is fixed so workers need no sweep id.
import { createConnection } from 'node:net'
import type { RedisOptions } from 'bullmq'
import { UsageError } from '../args.js'

/** The one BullMQ queue sweeps use; a Redis database (redis://host:port/2) separates unrelated sweeps' results. */
export const SWEEP_QUEUE_NAME = 'hypersd-sweep'

export interface QueueAddress {
  /** The URL without its password, for messages. */
  readonly display: string
  readonly connection: RedisOptions
}

export function parseQueueUrl(text: string): QueueAddress {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`--queue: "${text}" is not a URL; expected redis://HOST:PORT (e.g. redis://10.0.0.5:6379)`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--queue: expected a redis:// or rediss:// URL, got "${url.protocol}" in "${text}"`)
  }
  if (!url.hostname) throw new UsageError(`--queue: "${text}" names no host`)
  const port = url.port ? Number(url.port) : 6379
  const dbText = url.pathname.replace(/^\//, '')
  const db = dbText === '' ? 0 : Number(dbText)
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--queue: the database in "${text}" must be a whole number (redis://HOST:PORT/DB)`)
  const hidden = new URL(url.href)
  if (hidden.password) hidden.password = '***'
  return {
    display: hidden.href,
    connection: {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      db,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      // BullMQ's workers block on Redis; ioredis must not give up on commands while they wait.
      maxRetriesPerRequest: null,
    },
  }
}

/**
 * A plain TCP connect to Redis's port before BullMQ opens its connections: an unreachable host is one clear error
 * (BullMQ would retry and, when it gives up, report from emitters no caller can catch).
 */
export function probeQueue(address: QueueAddress, timeoutMs = 5000): Promise<void> {
  const { host, port } = address.connection
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: host ?? 'localhost', port: port ?? 6379 })
    const fail = (reason: string) => {
      socket.destroy()
      reject(new Error(`--queue ${address.display}: cannot reach Redis (${reason}); is redis-server running there and reachable from here?`))
    }
    socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs / 1000} s`))
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message))
    socket.once('connect', () => {
      socket.destroy()
      resolve()
    })
  })
}
