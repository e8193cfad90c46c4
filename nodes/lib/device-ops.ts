// The sampling loop's arithmetic as small ONNX graphs, run on the UNet's own execution provider so latents, model
// outputs and noise never leave the device between steps: an axpy for the scheduler step, a scale for the model
// input, a duplicate for classifier-free guidance's stacked batch and the guidance itself (with diffusers'
// guidance_rescale). Each graph is built once per session cache, like any model.
import { DataType, type DataTypeCode, encodeModel, makeAttribute, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo, type OnnxGraph } from '../../src/models/onnx/index.js'
import { latentRgbFactors, planarRgbToRgba, type LatentFormat, type RgbaImage } from '../../src/imaging/latent-preview.js'
import type { DeviceSupport, DeviceTensor, ModelSession, RunFeed } from '../../src/runtime/types.js'
import type { SessionProvider } from '../services.js'

const OPSET = 13
const LATENT = ['n', 'c', 'h', 'w'] as const

function scalar(value: number): RunFeed {
  return { dtype: 'float32', dims: [1], data: Float32Array.of(value) }
}

function model(name: string, build: (graph: OnnxGraph) => void): Uint8Array {
  const graph = makeGraph(name)
  build(graph)
  return encodeModel(makeModel(graph, { irVersion: 8, opset: OPSET, producerName: 'hyper-sd-studio' }))
}

const latentInput = (graph: OnnxGraph, ...names: string[]): void => {
  for (const name of names) graph.input.push(makeValueInfo(name, DataType.FLOAT, LATENT))
}
const scalarInput = (graph: OnnxGraph, ...names: string[]): void => {
  for (const name of names) graph.input.push(makeValueInfo(name, DataType.FLOAT, [1]))
}
const latentOutput = (graph: OnnxGraph, name = 'out'): void => void graph.output.push(makeValueInfo(name, DataType.FLOAT, LATENT))

/** out = a x + b y (+ c z). */
function axpyModel(terms: 2 | 3): Uint8Array {
  return model(`axpy${terms}`, (g) => {
    const vars = terms === 3 ? ['x', 'y', 'z'] : ['x', 'y']
    const coefs = terms === 3 ? ['a', 'b', 'c'] : ['a', 'b']
    latentInput(g, ...vars)
    scalarInput(g, ...coefs)
    vars.forEach((v, i) => g.node.push(makeNode({ opType: 'Mul', input: [v, coefs[i]!], output: [`${v}_scaled`] })))
    g.node.push(makeNode({ opType: 'Add', input: ['x_scaled', 'y_scaled'], output: [terms === 3 ? 'xy' : 'out'] }))
    if (terms === 3) g.node.push(makeNode({ opType: 'Add', input: ['xy', 'z_scaled'], output: ['out'] }))
    latentOutput(g)
  })
}

const scaleModel = (): Uint8Array =>
  model('scale', (g) => {
    latentInput(g, 'x')
    scalarInput(g, 'a')
    g.node.push(makeNode({ opType: 'Mul', input: ['x', 'a'], output: ['out'] }))
    latentOutput(g)
  })

/** [x; x] along the batch axis: the unconditional and conditional halves of a CFG batch. */
const duplicateModel = (): Uint8Array =>
  model('duplicate', (g) => {
    latentInput(g, 'x')
    g.node.push(makeNode({ opType: 'Concat', input: ['x', 'x'], output: ['out'], attribute: [makeAttribute('axis', 0)] }))
    latentOutput(g)
  })

/**
 * out = u + g (c - u) for both = [u; c]; with rescale, each image is then scaled by r std(c) / std(out) + keep, with
 * the std over C, H and W as diffusers' rescale_noise_cfg (torch.std's n / (n - 1) cancels in the ratio).
 */
function guidanceModel(rescaled: boolean): Uint8Array {
  return model(rescaled ? 'guidance-rescaled' : 'guidance', (g) => {
    latentInput(g, 'both')
    scalarInput(g, 'scale', ...(rescaled ? ['rescale', 'keep'] : []))
    g.node.push(makeNode({ opType: 'Split', input: ['both'], output: ['u', 'c'], attribute: [makeAttribute('axis', 0)] }))
    g.node.push(makeNode({ opType: 'Sub', input: ['c', 'u'], output: ['diff'] }))
    g.node.push(makeNode({ opType: 'Mul', input: ['diff', 'scale'], output: ['scaled'] }))
    g.node.push(makeNode({ opType: 'Add', input: ['u', 'scaled'], output: [rescaled ? 'cfg' : 'out'] }))
    if (rescaled) {
      const std = (x: string): string => {
        const axes = makeAttribute('axes', [1, 2, 3])
        g.node.push(makeNode({ opType: 'ReduceMean', input: [x], output: [`${x}_mean`], attribute: [axes] }))
        g.node.push(makeNode({ opType: 'Sub', input: [x, `${x}_mean`], output: [`${x}_centred`] }))
        g.node.push(makeNode({ opType: 'Mul', input: [`${x}_centred`, `${x}_centred`], output: [`${x}_sq`] }))
        g.node.push(makeNode({ opType: 'ReduceMean', input: [`${x}_sq`], output: [`${x}_var`], attribute: [makeAttribute('axes', [1, 2, 3])] }))
        g.node.push(makeNode({ opType: 'Sqrt', input: [`${x}_var`], output: [`${x}_std`] }))
        return `${x}_std`
      }
      const stdCond = std('c')
      const stdCfg = std('cfg')
      g.node.push(makeNode({ opType: 'Div', input: [stdCond, stdCfg], output: ['ratio'] }))
      g.node.push(makeNode({ opType: 'Mul', input: ['ratio', 'rescale'], output: ['weighted'] }))
      g.node.push(makeNode({ opType: 'Add', input: ['weighted', 'keep'], output: ['factor'] }))
      g.node.push(makeNode({ opType: 'Mul', input: ['cfg', 'factor'], output: ['out'] }))
    }
    latentOutput(g)
  })
}

/** The float dtypes the loop's tensors may have at the UNet's edges (an fp16 export takes and gives float16). */
export type DeviceFloat = 'float32' | 'float16'
const ONNX_FLOAT: Readonly<Record<DeviceFloat, DataTypeCode>> = { float32: DataType.FLOAT, float16: DataType.FLOAT16 }

/** The latents in another float dtype: float32 to float16 rounds to nearest even, as the host's conversion. */
const castModel = (from: DeviceFloat, to: DeviceFloat) => (): Uint8Array =>
  model(`cast-${from}-to-${to}`, (g) => {
    g.input.push(makeValueInfo('x', ONNX_FLOAT[from], LATENT))
    g.node.push(makeNode({ opType: 'Cast', input: ['x'], output: ['out'], attribute: [makeAttribute('to', ONNX_FLOAT[to])] }))
    g.output.push(makeValueInfo('out', ONNX_FLOAT[to], LATENT))
  })

const floats = (name: string, dims: number[], values: readonly number[]) => makeTensor({ name, dims, dataType: DataType.FLOAT, floatData: [...values] })
const int64s = (name: string, values: readonly number[]) => makeTensor({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values.map(BigInt) })

/**
 * The preview of the first image as latentToPreview draws it (src/imaging/latent-preview.ts): the linear fit as a 1x1
 * convolution, to 8-bit levels, rounded and clamped; only this 3-channel image comes back to JS.
 */
function previewModel(format: LatentFormat, channels: number): Uint8Array {
  return model(`preview-${format}-${channels}`, (g) => {
    const { rgb, bias } = latentRgbFactors(format)
    latentInput(g, 'x')
    g.initializer.push(
      int64s('zero', [0]),
      int64s('one', [1]),
      int64s('channels', [channels]),
      floats('weight', [3, channels, 1, 1], [0, 1, 2].flatMap((o) => rgb.slice(0, channels).map((f) => f[o]!))),
      floats('bias', [3], bias),
      floats('half_range', [], [127.5]),
      floats('lowest', [], [0]),
      floats('highest', [], [255]),
      floats('one_half', [], [0.5]),
    )
    g.node.push(makeNode({ opType: 'Slice', input: ['x', 'zero', 'one', 'zero'], output: ['first'] }))
    g.node.push(makeNode({ opType: 'Slice', input: ['first', 'zero', 'channels', 'one'], output: ['used'] }))
    g.node.push(makeNode({ opType: 'Conv', input: ['used', 'weight', 'bias'], output: ['rgb'], attribute: [makeAttribute('kernel_shape', [1, 1])] }))
    // ((v + 1) / 2) * 255 = v * 127.5 + 127.5, clamped and rounded (half up: WebGPU has Floor, not Round) to levels.
    g.node.push(makeNode({ opType: 'Mul', input: ['rgb', 'half_range'], output: ['scaled'] }))
    g.node.push(makeNode({ opType: 'Add', input: ['scaled', 'half_range'], output: ['levels'] }))
    g.node.push(makeNode({ opType: 'Clip', input: ['levels', 'lowest', 'highest'], output: ['clamped'] }))
    g.node.push(makeNode({ opType: 'Add', input: ['clamped', 'one_half'], output: ['shifted'] }))
    g.node.push(makeNode({ opType: 'Floor', input: ['shifted'], output: ['out'] }))
    g.output.push(makeValueInfo('out', DataType.FLOAT, [1, 3, 'h', 'w']))
  })
}

/** The loop's arithmetic on the device. Every result is a new device tensor its caller disposes. */
export class DeviceOps {
  /** Each helper's session, asked of the cache once per run, so a run's session stats count it once, not per step. */
  private readonly sessions = new Map<string, Promise<ModelSession>>()

  constructor(
    private readonly provider: SessionProvider,
    readonly device: DeviceSupport,
  ) {}

  /** Runs the helper graph `op` (built by `build` the first time the session cache meets it). */
  private async run(op: string, build: () => Uint8Array, feeds: Record<string, RunFeed>): Promise<DeviceTensor> {
    let asked = this.sessions.get(op)
    if (!asked) {
      const key = `hypersd:device-op:${op}`
      asked = this.provider.getOrCreate(key, async () => ({ key, bytes: build() }))
      this.sessions.set(op, asked)
    }
    const session = await asked
    if (!session.runResident) throw new Error(`the ${op} step cannot keep its output on the device`)
    return (await session.runResident(feeds, ['out'])).out!
  }

  /** a x + b y, plus c z when z is given. */
  axpy(a: number, x: DeviceTensor, b: number, y: DeviceTensor, c = 0, z?: DeviceTensor): Promise<DeviceTensor> {
    return z
      ? this.run('axpy3', () => axpyModel(3), { x, y, z, a: scalar(a), b: scalar(b), c: scalar(c) })
      : this.run('axpy2', () => axpyModel(2), { x, y, a: scalar(a), b: scalar(b) })
  }

  scale(a: number, x: DeviceTensor): Promise<DeviceTensor> {
    return this.run('scale', scaleModel, { x, a: scalar(a) })
  }

  /** x in `to` (x itself when it already is: the caller then must not dispose it twice). */
  async cast(x: DeviceTensor, to: DeviceFloat): Promise<DeviceTensor> {
    if (x.dtype === to) return x
    if (x.dtype !== 'float32' && x.dtype !== 'float16') throw new Error(`cannot cast a ${x.dtype} device tensor to ${to}`)
    return this.run(`cast-${x.dtype}-to-${to}`, castModel(x.dtype, to), { x })
  }

  duplicate(x: DeviceTensor): Promise<DeviceTensor> {
    return this.run('duplicate', duplicateModel, { x })
  }

  /** The first image's RGB preview, projected on the device; a read-back of three planes, not the latents. */
  async preview(latents: DeviceTensor, format: LatentFormat): Promise<RgbaImage> {
    const [, channels = 4, height = 0, width = 0] = latents.dims
    const used = Math.min(channels, 4)
    const rgb = await this.run(`preview-${format}-${used}`, () => previewModel(format, used), { x: latents })
    try {
      return planarRgbToRgba((await rgb.read()).data as Float32Array, width, height)
    } finally {
      rgb.dispose()
    }
  }

  /** Guidance over a stacked [uncond; cond] output, as applyGuidance (sampling/guidance.ts). */
  guidance(both: DeviceTensor, scale: number, rescale: number): Promise<DeviceTensor> {
    if (rescale === 0) return this.run('guidance', () => guidanceModel(false), { both, scale: scalar(scale) })
    return this.run('guidance-rescaled', () => guidanceModel(true), { both, scale: scalar(scale), rescale: scalar(rescale), keep: scalar(1 - rescale) })
  }
}
