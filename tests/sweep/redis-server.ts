// A real redis-server (Debian's) for queue tests: on 127.0.0.1, a free port, no persistence, stopped after.
import { spawn, type ChildProcess } from 'node:child_process'
import { createConnection, createServer } from 'node:net'

export interface RedisServer {
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('error', () => resolve(false))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    socket.once('connect', () => socket.write('PING\r\n'))
  })
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
}

export async function startRedis(binary = process.env.REDIS_SERVER ?? 'redis-server'): Promise<RedisServer> {
  const port = await freePort()
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`))))
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${binary} exited (${child.exitCode}): ${log}`)
    if (await Promise.race([ping(port), spawnError])) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: async () => {
          child.kill('SIGTERM')
          await exited(child)
        },
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`${binary} did not answer PING on port ${port}: ${log}`)
}
