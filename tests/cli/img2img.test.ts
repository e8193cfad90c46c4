// `hypersd run` on the img2img graph: Load Image reads the bundled sketch by default, a file under --input-dir (a
// JPEG here) when given one, and a missing image fails naming the node, the input and where it looked.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jpeg from 'jpeg-js'
import { describe, expect, it } from 'vitest'
import { decodePng, readPngTextChunks } from '../../src/graph/png.js'
import { ROOT, runCli } from './run-cli.js'

const graph = join(ROOT, 'graphs', 'shapes-img2img.json')
const tempDir = () => mkdtempSync(join(tmpdir(), 'hypersd-img2img-'))

describe('hypersd run with Load Image', () => {
  it('reads the bundled sketch by default and a JPEG under --input-dir, and records the input image', () => {
    const out = tempDir()
    const bundled = runCli(['run', graph, '--out', out, '--quiet'])
    expect(bundled.stderr).toBe('')
    expect(bundled.code).toBe(0)
    const inputs = tempDir()
    const sketch = decodePng(readFileSync(join(ROOT, 'public', 'input', 'shapes-sketch.png')))
    writeFileSync(join(inputs, 'photo.jpg'), jpeg.encode({ width: 64, height: 64, data: sketch.data }, 95).data)
    const fromJpeg = runCli(['run', graph, '--out', out, '--quiet', '--input-dir', inputs, '--set', '3.image=photo.jpg'])
    expect(fromJpeg.stderr).toBe('')
    expect(fromJpeg.code).toBe(0)
    const files = readdirSync(out).sort()
    expect(files).toEqual(['shapes-img2img_00001.png', 'shapes-img2img_00002.png'])
    const parameters = files.map((f) => readPngTextChunks(readFileSync(join(out, f))).get('parameters') ?? '')
    expect(parameters[0]).toContain('denoise: 0.5, init_image: shapes-sketch.png')
    expect(parameters[1]).toContain('init_image: photo.jpg')
  })

  it('a missing image names the node, the input and the folder it looked in, and writes nothing', () => {
    const out = tempDir()
    const empty = tempDir()
    cpSync(graph, join(empty, 'graph.json'))
    const result = runCli(['run', join(empty, 'graph.json'), '--out', out, '--input-dir', empty])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`node 3 (LoadImage), input "image": "shapes-sketch.png": file not found (looked in ${join(empty, 'shapes-sketch.png')}; --input-dir sets the folder)`)
    expect(readdirSync(out)).toEqual([])
  })
})
