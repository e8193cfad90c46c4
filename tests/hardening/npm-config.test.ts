// Issue 14 §9: every npm command warned `Unknown project config "onnxruntime-node-install"` (an .npmrc key npm 11
// no longer knows). onnxruntime-node's install script (a CUDA download) is now denied through package.json's
// allowScripts, which npm 11 honours silently; older npm reads ONNXRUNTIME_NODE_INSTALL=skip from .ci/run.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/run-cli.js'

describe('npm project config (issue 14 §9)', () => {
  it('npm reads the project config without a warning', () => {
    const result = spawnSync('npm', ['pkg', 'get', 'name'], { cwd: ROOT, encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stdout.trim()).toBe('"hyper-sd-studio"')
    expect(result.stderr).not.toMatch(/Unknown (project|user|global|env) config/)
  })

  it("denies onnxruntime-node's install script for every npm: allowScripts, and the variable for older npm", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> }
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false)
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^export ONNXRUNTIME_NODE_INSTALL=skip$/m)
  })
})
