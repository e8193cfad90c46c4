// The package's `hypersd` bin: it loads the TypeScript CLI in its own process (tsx's loader, no child process), so
// output, exit codes and signals are the CLI's own; and the CLI imports a command's modules only when it runs it.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from './run-cli.js'

const BIN = join(ROOT, 'bin', 'hypersd.js')

function runBin(args: readonly string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('hypersd bin', () => {
  it('runs a command and passes its output and exit code through', () => {
    const ok = runBin(['timesteps', '--scheduler', 'tcd', '--steps', '4'])
    expect(ok.stderr).toBe('')
    expect(ok.stdout).toContain('timesteps: 999, 759, 499, 259')
    expect(ok.code).toBe(0)
    const unknown = runBin(['paint'])
    expect(unknown.stderr).toContain('unknown command "paint" (commands: run, sweep, worker, validate')
    expect(unknown.code).toBe(2)
    const failed = runBin(['validate', 'graphs/no-such-graph.json'])
    expect(failed.stderr).toContain('no-such-graph.json')
    expect(failed.code).toBe(1)
  })

  it('imports no command module before the command is known', () => {
    const main = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8')
    const staticImports = [...main.matchAll(/^import .* from '([^']+)'/gm)].map((match) => match[1])
    expect(staticImports.filter((path) => path!.includes('/commands/'))).toEqual([])
    expect(main).toContain("import('./commands/run.js')")
  })
})
