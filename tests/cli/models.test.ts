// `hypersd models pull|verify|list` against the mock Hub, run as a user would: a child process, a models folder.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loraRepo, sd15OnnxRepo } from '../hub/fixture-repos.js'
import { startMockHub, type MockHub } from '../hub/mock-hub.js'
import { runCliAsync } from './run-cli-async.js'
import { ROOT } from './run-cli.js'

const SD15 = 'onnx-community/stable-diffusion-v1-5-ONNX'
const LORA_FILE = 'Hyper-SD15-4steps-lora.safetensors'
let hub: MockHub
let dir: string
beforeAll(async () => {
  hub = await startMockHub([sd15OnnxRepo(SD15), loraRepo('ByteDance/Hyper-SD', { [LORA_FILE]: 'loras/tiny-hyper-sd15-4step-kohya.safetensors' }), { id: 'owner/gated', gated: true, files: [{ path: 'x.onnx', bytes: new Uint8Array(8) }] }])
  dir = mkdtempSync(join(tmpdir(), 'hypersd-models-'))
})
afterAll(async () => {
  await hub.close()
  rmSync(dir, { recursive: true, force: true })
})

const models = (...args: string[]) => runCliAsync(['models', ...args, '--models-dir', dir], { HF_ENDPOINT: hub.url })

describe('hypersd models', () => {
  it('pull resumes after a cut connection, with HF_ENDPOINT as the endpoint', async () => {
    hub.setFaults({ cut: [{ file: LORA_FILE, afterBytes: 60_000, times: 1 }] })
    const cut = await models('pull', 'ByteDance/Hyper-SD', LORA_FILE, '--retries', '0')
    expect(cut.code).toBe(1)
    expect(cut.stderr).toMatch(/connection broke after 60000 of \d+ bytes; the bytes so far are kept, resume to continue/)
    const target = join(dir, 'ByteDance', 'Hyper-SD', LORA_FILE)
    expect(() => statSync(target)).toThrow()
    const resumed = await models('pull', 'ByteDance/Hyper-SD', LORA_FILE)
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toContain(`use in graphs: ByteDance/Hyper-SD/${LORA_FILE}`)
    expect(hub.requests.some((r) => r.range === 'bytes=60000-' && r.status === 206)).toBe(true)
    expect(readFileSync(target)).toEqual(readFileSync(join(ROOT, 'public/models/loras/tiny-hyper-sd15-4step-kohya.safetensors')))
  })

  it('pull fetches only the ONNX pipeline files and shows progress', async () => {
    hub.setFaults({})
    const result = await models('pull', SD15)
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/\[#+\] [\d.]+ [kMG]?B \/ [\d.]+ [kMG]?B · \d+\/\d+ files/)
    expect(result.stdout).toContain(`use in graphs: ${SD15}`)
    const root = join(dir, ...SD15.split('/'))
    expect(statSync(join(root, 'unet', 'model.onnx')).size).toBeGreaterThan(0)
    expect(() => statSync(join(root, 'unet', 'diffusion_pytorch_model.safetensors'))).toThrow()
  })

  it('list shows the pulled models with their source and state', async () => {
    const result = await models('list', '--json')
    const listed = JSON.parse(result.stdout) as { name: string; kind: string; source: string; state: string }[]
    const pipeline = listed.find((m) => m.name === SD15)!
    expect(pipeline).toMatchObject({ state: 'ready', kind: expect.stringMatching(/^sd15-pipeline/) })
    expect(pipeline.source).toContain(`${SD15}@main`)
    expect(listed.find((m) => m.name === `ByteDance/Hyper-SD/${LORA_FILE}`)).toMatchObject({ state: 'ready', kind: 'lora (kohya · SD1.5)' })
  })

  it('the preset graph runs on the pulled files, named as the Hub names them', async () => {
    const out = join(dir, 'out')
    const result = await runCliAsync(['run', join(ROOT, 'graphs', 'hyper-sd15-4step.json'), '--models-dir', dir, '--out', out, '--set', '3.width=64', '--set', '3.height=64', '--quiet'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(statSync(join(out, 'hyper-sd15-4step_00001.png')).size).toBeGreaterThan(0)
  })

  it('verify passes, then fails with exit code 1 on a changed file', async () => {
    expect((await models('verify')).code).toBe(0)
    const file = join(dir, 'ByteDance', 'Hyper-SD', LORA_FILE)
    const bytes = readFileSync(file)
    bytes[0] = bytes[0]! ^ 1
    writeFileSync(file, bytes)
    const failed = await models('verify', 'ByteDance/Hyper-SD')
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(new RegExp(`${LORA_FILE}: sha256 [0-9a-f]{64} instead of`))
  })

  it('a gated repository and a missing file fail with non-zero exit codes and say why', async () => {
    const gated = await models('pull', 'owner/gated')
    expect(gated.code).toBe(1)
    expect(gated.stderr).toMatch(/owner\/gated is a gated repository/)
    const missing = await models('pull', 'ByteDance/Hyper-SD', 'Hyper-SD15-9steps-lora.safetensors')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/Hyper-SD15-9steps-lora\.safetensors not found in ByteDance\/Hyper-SD/)
    const bad = await models('pull', 'not a repo')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/is not a Hugging Face repository id/)
  })
})
