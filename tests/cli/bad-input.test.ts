import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, runCli } from './run-cli.js'

const tempDir = () => mkdtempSync(join(tmpdir(), 'hypersd-bad-'))
const plain = JSON.parse(readFileSync(join(ROOT, 'graphs', 'tiny-sd15-4step.json'), 'utf8')) as {
  nodes: { id: string; type: string; inputs: Record<string, unknown> }[]
}

function writeGraph(dir: string, content: string | object): string {
  const path = join(dir, 'graph.json')
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

/** Runs a graph that must fail: exit 1, exactly one error line on stderr, nothing written to --out. */
function expectFailure(args: string[], out: string): string {
  const result = runCli([...args, '--out', out, '--quiet'])
  expect(result.code).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^hypersd: /)
  expect(readdirSync(out).filter((f) => !f.startsWith('.hypersd-write-test'))).toEqual([])
  return lines[0]!
}

describe('hypersd run on bad input', () => {
  it('malformed JSON names the file and position', () => {
    const dir = tempDir()
    const message = expectFailure(['run', writeGraph(dir, '{"format": "hyper-sd-studio/graph",\n  "nodes": [ }')], tempDir())
    expect(message).toContain('graph.json')
    expect(message).toMatch(/line 2/)
  })

  it('schema failures name the field', () => {
    const dir = tempDir()
    const bad = { ...plain, nodes: [{ ...plain.nodes[0], inputs: { model: { wrong: 1 } } }] }
    const message = expectFailure(['run', writeGraph(dir, bad)], tempDir())
    expect(message).toContain('nodes[0].inputs.model')
  })

  it('a __proto__ key anywhere is refused and pollutes nothing', () => {
    const dir = tempDir()
    const text = JSON.stringify(plain).replace('"inputs":{"model"', '"inputs":{"__proto__":{"polluted":true},"model"')
    const message = expectFailure(['run', writeGraph(dir, text)], tempDir())
    expect(message).toContain('__proto__')
  })

  it('a graph without an output node is refused instead of "finishing" having made nothing', () => {
    const dir = tempDir()
    // Without a layout, so the only message is the refusal (a layout entry for the removed node would warn).
    const noOutput = { ...plain, nodes: plain.nodes.filter((n) => n.type !== 'SaveImage'), layout: undefined }
    expect(expectFailure(['run', writeGraph(dir, noOutput)], tempDir())).toContain('the graph has no output node: add Save Image or Preview Image')
  })

  it('an unknown node type and a cycle name the nodes', () => {
    const dir = tempDir()
    const unknown = { ...plain, nodes: plain.nodes.map((n) => (n.id === '3' ? { ...n, type: 'KSamplerPlusPlus' } : n)) }
    expect(expectFailure(['run', writeGraph(dir, unknown)], tempDir())).toContain('node 3: unknown node type "KSamplerPlusPlus"')
    const cyclic = {
      ...plain,
      nodes: plain.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, latent: { from: ['5', 'image'] } } } : n)),
    }
    const message = runCli(['validate', writeGraph(dir, cyclic)])
    expect(message.code).toBe(1)
    expect(message.stdout).toContain('cycle between nodes')
    expect(message.stdout).toContain('4 (TSCDSampler)')
    expect(message.stdout).toContain('input "latent": takes LATENT but is linked to IMAGE')
  })

  it('a missing model folder names the node, input and path', () => {
    const message = expectFailure(['run', join(ROOT, 'graphs', 'tiny-sd15-4step.json'), '--model', `tiny-sd15=${join(tempDir(), 'nope')}`], tempDir())
    expect(message).toMatch(/node 1 \(LoadPipeline\), input "model": .*nope: model folder not found/)
  })

  it('a truncated or corrupt .onnx names the file', () => {
    const models = tempDir()
    cpSync(join(ROOT, 'public', 'models', 'tiny-sd15'), join(models, 'tiny-sd15'), { recursive: true })
    truncateSync(join(models, 'tiny-sd15', 'vae_decoder', 'model.onnx'), 5000)
    const message = expectFailure(['run', join(ROOT, 'graphs', 'tiny-sd15-4step.json'), '--models-dir', models], tempDir())
    expect(message).toContain('node 5 (VAEDecode)')
    expect(message).toContain(join('vae_decoder', 'model.onnx'))
    copyFileSync(join(ROOT, 'public', 'models', 'tiny-sd15', 'vae_decoder', 'config.json'), join(models, 'tiny-sd15', 'vae_decoder', 'model.onnx'))
    expect(expectFailure(['run', join(ROOT, 'graphs', 'tiny-sd15-4step.json'), '--models-dir', models], tempDir())).toContain(join('vae_decoder', 'model.onnx'))
  })

  it('an output folder that cannot be written is reported before any work', () => {
    const dir = tempDir()
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x')
    const result = runCli(['run', join(ROOT, 'graphs', 'tiny-sd15-4step.json'), '--out', join(file, 'sub'), '--quiet'])
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe(`hypersd: output folder ${join(file, 'sub')} cannot be written (ENOTDIR)`)
  })

  it('--verbose adds the stack; bad options are usage errors', () => {
    const dir = tempDir()
    const verbose = runCli(['run', writeGraph(dir, '{'), '--out', tempDir(), '--verbose'])
    expect(verbose.code).toBe(1)
    expect(verbose.stderr.split('\n').length).toBeGreaterThan(2)
    const usage = runCli(['run', 'x.json', '--bogus', '1'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('unknown option --bogus')
  })
})
