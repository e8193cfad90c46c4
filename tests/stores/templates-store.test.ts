// The templates store reads the shipped graphs when they are first asked for, not when the app starts: creating it
// (the app does, at start) parses nothing; the list, a lookup and the browser's groups then share one reading.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

const parsed = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../src/graph/parse.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/graph/parse.js')>()
  return {
    ...real,
    parseGraphFile: (...args: Parameters<typeof real.parseGraphFile>) => {
      parsed.count++
      return real.parseGraphFile(...args)
    },
  }
})

const { useTemplates } = await import('../../src/stores/templates.js')
const shipped = readdirSync(join(import.meta.dirname, '..', '..', 'graphs')).filter((name) => name.endsWith('.json'))

beforeEach(() => {
  setActivePinia(createPinia())
  parsed.count = 0
})

describe('the templates store', () => {
  it('parses no graph when it is created, and each shipped graph once when the templates are first asked for', () => {
    const templates = useTemplates()
    expect(parsed.count).toBe(0)
    expect(templates.all.map((t) => t.file).sort()).toEqual([...shipped].sort())
    expect(parsed.count).toBe(shipped.length)
    expect(templates.byFile('shapes-4step.json')?.error).toBeNull()
    expect(templates.groups.length).toBeGreaterThan(1)
    templates.filter = 'sdxl'
    const matching = templates.groups.flatMap((g) => g.steps.flatMap((s) => s.templates))
    expect(matching.length).toBeGreaterThan(0)
    expect(matching.length).toBeLessThan(shipped.length)
    expect(matching.every((t) => `${t.name} ${t.file} ${t.model} ${t.description} ${t.settings.scheduler ?? ''}`.toLowerCase().includes('sdxl'))).toBe(true)
    expect(parsed.count).toBe(shipped.length)
  })
})
