// The size part of a Models panel row: a finished model's size; a stopped download's bytes kept and total, never
// "size unknown" when the listing gave the sizes.
import { describe, expect, it } from 'vitest'
import type { ModelEntry } from '../../src/models/catalog/types.js'
import { entrySizeText, entrySizeTitle, kindText } from '../../src/ui/model-labels.js'

type Sized = Pick<ModelEntry, 'state' | 'bytes' | 'progress'>
const stopped = (state: ModelEntry['state'], loaded: number, total: number): Sized => ({ state, progress: { loaded, total, bytesPerSecond: 0 } })

describe('entrySizeText', () => {
  it('shows a ready model’s size, or says it is unknown', () => {
    expect(entrySizeText({ state: 'ready', bytes: 3_200_000 })).toBe('3.2 MB')
    expect(entrySizeText({ state: 'ready' })).toBe('size unknown')
    expect(entrySizeTitle({ state: 'ready', bytes: 3_200_000 })).toBe('3200000 bytes')
  })

  it('shows the bytes kept and the total of a paused or failed download', () => {
    expect(entrySizeText(stopped('partial', 150_000, 3_200_000))).toBe('150.0 kB of 3.2 MB (partial)')
    expect(entrySizeTitle(stopped('partial', 150_000, 3_200_000))).toBe('150000 of 3200000 bytes kept')
    expect(entrySizeText(stopped('failed', 0, 182_716))).toBe('0 B of 182.7 kB (failed)')
    // A mirror that gave no size: the bytes kept alone.
    expect(entrySizeText(stopped('partial', 50_000, 0))).toBe('50.0 kB kept (partial)')
  })

  it('shows the total of a running download (its progress line shows the rest)', () => {
    expect(entrySizeText({ state: 'downloading', progress: { loaded: 1_000, total: 182_716, bytesPerSecond: 5_000 } })).toBe('182.7 kB')
    expect(entrySizeText({ state: 'downloading' })).toBe('size unknown')
  })

  it('ignores a left-over figure once the model is ready', () => {
    expect(entrySizeText({ state: 'ready', bytes: 182_716, progress: { loaded: 50_000, total: 182_716, bytesPerSecond: 0 } })).toBe('182.7 kB')
  })
})

describe('kindText', () => {
  it('names the kind and its detail', () => {
    expect(kindText({ kind: 'sd15-pipeline' })).toBe('SD1.5 pipeline')
    expect(kindText({ kind: 'lora', detail: 'SD1.5' })).toBe('LoRA · SD1.5')
  })
})
