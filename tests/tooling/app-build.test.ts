// npm start's build check (scripts/app): the app is rebuilt when an input changes, is added or goes, and not
// otherwise. The builds here are real Vite builds of a one-page app in a temporary folder.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILD_STAMP, ensureBuilt, isBuildCurrent } from '../../scripts/app/build.js'
import { buildInputsDigest } from '../../scripts/app/build-inputs.js'

let root = ''
let outDir = ''

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hypersd-app-build-'))
  outDir = join(root, 'dist')
  mkdirSync(join(root, 'src'))
  mkdirSync(join(root, 'public', 'models'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/src/main.js"></script>')
  writeFileSync(join(root, 'src', 'main.js'), 'document.title = "one"\n')
  writeFileSync(join(root, 'public', 'models', 'model.onnx'), Buffer.alloc(64))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('build inputs digest', () => {
  it('changes when a file is edited (size or time), added or removed, and only then', async () => {
    const first = await buildInputsDigest(root)
    expect(await buildInputsDigest(root)).toBe(first)
    writeFileSync(join(root, 'src', 'main.js'), 'document.title = "two"\n') // same size, new time
    utimesSync(join(root, 'src', 'main.js'), new Date(2030, 0, 1), new Date(2030, 0, 1))
    const edited = await buildInputsDigest(root)
    expect(edited).not.toBe(first)
    writeFileSync(join(root, 'public', 'models', 'extra.safetensors'), Buffer.alloc(8))
    const added = await buildInputsDigest(root)
    expect(added).not.toBe(edited)
    rmSync(join(root, 'public', 'models', 'extra.safetensors'))
    expect(await buildInputsDigest(root)).toBe(edited)
  })
})

describe('ensureBuilt', () => {
  it('builds once, reuses the build while the inputs stand, and rebuilds after a change or when forced', async () => {
    expect(await isBuildCurrent(root, outDir)).toBe(false)
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent' })).toBe('built')
    expect(await isBuildCurrent(root, outDir)).toBe(true)
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent' })).toBe('current')
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent', force: true })).toBe('built')
    writeFileSync(join(root, 'public', 'models', 'model.onnx'), Buffer.alloc(65))
    expect(await isBuildCurrent(root, outDir)).toBe(false)
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent' })).toBe('built')
    // A build folder without a stamp (e.g. `vite build` run by hand, or one that was interrupted) is not trusted.
    rmSync(join(outDir, BUILD_STAMP))
    expect(await isBuildCurrent(root, outDir)).toBe(false)
  })

  it('links public/models into an npm start build: no copy, a model added needs no rebuild, and the link goes without its models', async () => {
    writeFileSync(join(root, 'public', 'favicon.svg'), '<svg/>')
    await ensureBuilt(root, outDir, { logLevel: 'silent' })
    // The self-contained form is not the form npm start asks for.
    expect(await isBuildCurrent(root, outDir, { liveModels: true })).toBe(false)
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent', liveModels: true })).toBe('built')
    expect(lstatSync(join(outDir, 'models')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(outDir, 'models', 'model.onnx')).length).toBe(64)
    expect(readFileSync(join(outDir, 'favicon.svg'), 'utf8')).toBe('<svg/>')
    writeFileSync(join(root, 'public', 'models', 'pulled.safetensors'), Buffer.alloc(8))
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent', liveModels: true })).toBe('current')
    expect(existsSync(join(outDir, 'models', 'pulled.safetensors'))).toBe(true)
    // Another form's build empties the folder: the link is removed, never what it points to.
    expect(await ensureBuilt(root, outDir, { logLevel: 'silent' })).toBe('built')
    expect(lstatSync(join(outDir, 'models')).isSymbolicLink()).toBe(false)
    expect(existsSync(join(root, 'public', 'models', 'pulled.safetensors'))).toBe(true)
  })
})
