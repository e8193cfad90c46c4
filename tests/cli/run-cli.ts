// Runs the real CLI in a child process, as a user would.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export function runCli(args: readonly string[], cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}
