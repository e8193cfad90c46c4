// A long-running `hypersd` child process (worker, submitter) whose output lines a test can wait for.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../cli/run-cli.js'

export interface CliProcess {
  readonly child: ChildProcess
  /** stdout and stderr so far. */
  output(): string
  /** Resolves with the first line matching `pattern` (already printed or still to come). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>
  exit(): Promise<number | string>
}

export function startCli(args: readonly string[]): CliProcess {
  // node itself (no npx wrapper), so a signal reaches the process that holds the cell.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } })
  let text = ''
  const waiters = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    text += chunk.toString()
    for (const wake of [...waiters]) wake()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exitPromise = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  return {
    child,
    output: () => text,
    line(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = text.split('\n').find((l) => pattern.test(l))
          if (found === undefined) return false
          cleanup()
          resolve(found)
          return true
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`))
        }, timeoutMs)
        const onExit = () => {
          if (!check()) {
            cleanup()
            reject(new Error(`exited before a line matching ${pattern}; output:\n${text}`))
          }
        }
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
          child.off('exit', onExit)
        }
        waiters.add(check)
        child.once('exit', onExit)
        check()
      })
    },
    exit: () => exitPromise,
  }
}
