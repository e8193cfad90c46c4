import { describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

describe('hypersd nodes / validate / timesteps', () => {
  it('lists node types with their inputs from the declarations', () => {
    const result = runCli(['nodes'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('TSCDSampler  (TSCD Sampler, sampling)')
    expect(result.stdout).toContain('in  steps: int, default 4, 1..50 —')
    expect(result.stdout).toContain('in  scheduler: one of ddim-trailing')
    const json = JSON.parse(runCli(['nodes', 'EmptyLatent', '--json']).stdout) as { type: string; inputs: { name: string }[] }[]
    expect(json[0]!.inputs.map((i) => i.name)).toEqual(['width', 'height', 'batch'])
  })

  it('validates the shipped graphs', () => {
    for (const file of ['tiny-sd15-4step.json', 'hyper-sd15-4step.json', 'hyper-sdxl-1step-unet.json']) {
      const result = runCli(['validate', `graphs/${file}`])
      expect(result.stdout).toContain('valid')
      expect(result.code).toBe(0)
    }
  })

  it('prints the Hyper-SD schedules', () => {
    expect(runCli(['timesteps', '--scheduler', 'ddim-trailing', '--steps', '4']).stdout).toContain('timesteps: 999, 749, 499, 249')
    expect(runCli(['timesteps', '--scheduler', 'ddim-trailing', '--steps', '8']).stdout).toContain('timesteps: 999, 874, 749, 624, 499, 374, 249, 124')
    expect(runCli(['timesteps', '--scheduler', 'tcd', '--steps', '4']).stdout).toContain('timesteps: 999, 759, 499, 259')
    expect(runCli(['timesteps', '--scheduler', 'lcm-800', '--steps', '1']).stdout).toContain('timesteps: 800')
    expect(runCli(['timesteps', '--scheduler', 'ddim', '--steps', '4', '--spacing', 'leading']).stdout).toContain('timesteps: 751, 501, 251, 1')
    const bad = runCli(['timesteps', '--scheduler', 'dpm', '--steps', '4'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown "dpm"')
  })
})

describe('hypersd lora', () => {
  it('prints the match report for the UNet and the text encoder', () => {
    const result = runCli(['lora', 'loras/tiny-hyper-sd15-4step-kohya.safetensors', '--pipeline', 'tiny-sd15'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('on the UNet: 342 of 342 tensors matched, 114 layers patched')
    expect(result.stdout).toContain('on the text encoder: 36 of 36 tensors matched, 12 layers patched')
    expect(result.stdout).toContain('down_blocks.0.attentions.0.proj_in')
  })
})
