// The layer rules of the README's architecture section, checked on the import statements of every source file.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path)
    return /\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

interface Edge {
  readonly file: string
  /** A repo-relative path for relative imports, else the package name. */
  readonly target: string
  readonly typeOnly: boolean
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const edges: Edge[] = []
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3]!
    const typeOnly = /^\s*(import|export)\s+type\s/.test(match[0].replace(/^\n/, ''))
    if (spec.startsWith('.')) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts')
      edges.push({ file, target, typeOnly })
    } else {
      edges.push({ file, target: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!, typeOnly })
    }
  }
  return edges
}

const files = [...sourceFiles('src'), ...sourceFiles('nodes')]
const edges = files.flatMap(importsOf)
const inside = (path: string, ...dirs: string[]) => dirs.some((d) => path === d || path.startsWith(`${d}/`))

function violations(from: string[], allowed: (edge: Edge) => boolean): string[] {
  return edges.filter((e) => inside(e.file, ...from) && !allowed(e)).map((e) => `${e.file} -> ${e.target}`)
}

describe('architecture', () => {
  it('reads the imports of every source file', () => {
    expect(files.length).toBeGreaterThan(100)
    expect(edges.some((e) => e.file === 'nodes/sampler.ts' && e.target === 'src/sampling/index.ts')).toBe(true)
  })

  it('the engine is pure TypeScript: it imports only itself', () => {
    expect(violations(['src/engine'], (e) => inside(e.target, 'src/engine'))).toEqual([])
  })

  it('only the runtime and the worker host import onnxruntime', () => {
    const ort = edges.filter((e) => e.target.startsWith('onnxruntime') && !e.typeOnly)
    expect(ort.some((e) => e.file === 'src/runtime/node.ts')).toBe(true)
    expect(ort.filter((e) => !inside(e.file, 'src/runtime', 'src/worker')).map((e) => `${e.file} -> ${e.target}`)).toEqual([])
  })

  it('the scene scorer is pure TypeScript: no DOM, no onnxruntime, no other layer but its domain file', () => {
    const allowed = (e: Edge) => inside(e.target, 'src/scene') || e.target === 'training/scenes.json' || e.target === 'zod'
    expect(violations(['src/scene'], allowed)).toEqual([])
  })

  it('Vue, Pinia and litegraph stay in the UI layers', () => {
    const ui = ['src/ui', 'src/stores', 'src/editor', 'src/main.ts', 'src/app.ts']
    const uiPackages = new Set(['vue', 'pinia', '@comfyorg/litegraph'])
    expect(edges.filter((e) => e.target === '@comfyorg/litegraph').length).toBeGreaterThan(0)
    expect(edges.filter((e) => uiPackages.has(e.target) && !inside(e.file, ...ui)).map((e) => `${e.file} -> ${e.target}`)).toEqual([])
  })

  it('domain libraries and nodes never import hosts or UI', () => {
    const hosts = ['src/ui', 'src/stores', 'src/editor', 'src/worker', 'src/cli', 'src/main.ts', 'src/app.ts']
    const domain = ['src/engine', 'src/sampling', 'src/text', 'src/models', 'src/lora', 'src/graph', 'src/imaging', 'src/reward', 'src/runtime', 'src/scene', 'src/hub']
    expect(violations([...domain, 'nodes'], (e) => !inside(e.target, ...hosts))).toEqual([])
    expect(violations(domain, (e) => !inside(e.target, 'nodes'))).toEqual([])
  })

  it('has no circular imports', () => {
    const graph = new Map<string, string[]>()
    for (const e of edges) if (e.target.startsWith('src/') || e.target.startsWith('nodes/')) graph.set(e.file, [...(graph.get(e.file) ?? []), e.target])
    const state = new Map<string, 'open' | 'done'>()
    const cycles: string[] = []
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '))
        return
      }
      state.set(file, 'open')
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })
})
