// Issue 14 §8: on a fresh machine `npm test` failed in every browser test (no Chromium: only .ci/run installed it).
// npm's pretest step now runs scripts/test-prereqs.sh, which installs the Debian packages the tests drive with apt
// when it can, or stops with one line naming them; .ci/run keeps calling exactly the README's test command.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/run-cli.js'

const SCRIPT = join(ROOT, 'scripts', 'test-prereqs.sh')

function prereqs(env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync('/bin/bash', [SCRIPT], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** A PATH holding only the tools the script itself needs: no apt-get, no redis-server. */
function barePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hypersd-prereqs-'))
  for (const tool of ['id', 'env', 'bash']) symlinkSync(spawnSync('/bin/bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(dir, tool))
  return dir
}

describe('test prerequisites (issue 14 §8)', () => {
  it('npm test runs the prerequisite step first, and .ci/run runs npm test and nothing of its own', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts['pretest']).toBe('bash scripts/test-prereqs.sh')
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
    expect(ci.trim().split('\n').at(-1)).toBe('npm test')
    expect(ci).not.toMatch(/apt-get/)
  })

  it('passes quietly when everything is present (this machine)', () => {
    expect(prereqs({})).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('without apt-get, stops with one line naming what to install', () => {
    const result = prereqs({ PATH: barePath(), CHROMIUM_PATH: '/nonexistent/chromium' })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('test prerequisites missing: chromium redis-server (Debian packages; run: sudo apt-get install -y chromium redis-server)\n')
  })
})
