// Tensors that stay where onnxruntime computed them (WebGPU buffers), for loops that feed one run's outputs to the
// next without a round trip through JS: each read() is a device-to-host copy, counted per backend so the sampling
// loop's read-backs can be checked (issue 9: none per step).
import type { Tensor } from 'onnxruntime-common'
import type { DeviceSupport, DeviceTensor, HostTensor, TensorArray, TensorDType } from './types.js'
import { hostTensor } from './tensor.js'

/** The Tensor class of the onnxruntime package in use (node and web each have their own). */
export type OrtTensorConstructor = new (type: TensorDType, data: TensorArray, dims: readonly number[]) => Tensor

export class ReadBackCounter {
  count = 0
}

/**
 * An onnxruntime tensor as a HostTensor, adopting its data without a copy: CPU data already lives in a JS-owned buffer
 * on both onnxruntime-node and onnxruntime-web (each copies out of native or WASM memory once), and GPU data is
 * downloaded into a new one, counted as a read-back. float16 comes back as raw bits even where ort uses Float16Array.
 */
export async function readOrtTensor(name: string, tensor: Tensor, counter: ReadBackCounter): Promise<HostTensor> {
  const dims = [...tensor.dims]
  let data: unknown
  if (tensor.location === 'cpu') data = tensor.data
  else {
    counter.count++
    data = await tensor.getData()
  }
  switch (tensor.type) {
    case 'float32':
      return hostTensor('float32', dims, data as Float32Array)
    case 'float16': {
      const view = data as ArrayBufferView & { length: number }
      return hostTensor('float16', dims, new Uint16Array(view.buffer, view.byteOffset, view.length))
    }
    case 'int32':
      return hostTensor('int32', dims, data as Int32Array)
    case 'int64':
      return hostTensor('int64', dims, data as BigInt64Array)
    case 'uint8':
    case 'bool':
      return hostTensor(tensor.type, dims, data as Uint8Array)
    default:
      throw new Error(`output "${name}" has unsupported type ${tensor.type}`)
  }
}

export class OrtDeviceTensor implements DeviceTensor {
  readonly location = 'device'
  private disposed = false

  constructor(
    readonly tensor: Tensor,
    private readonly counter: ReadBackCounter,
    private readonly name = 'tensor',
  ) {}

  get dtype(): TensorDType {
    return this.tensor.type as TensorDType
  }

  get dims(): readonly number[] {
    return this.tensor.dims
  }

  async read(): Promise<HostTensor> {
    if (this.disposed) throw new Error(`${this.name}: read after dispose`)
    // A host-memory device counts its reads too (readOrtTensor counts GPU downloads): the loop's read-backs are the
    // same calls whatever the backend.
    if (this.tensor.location === 'cpu') this.counter.count++
    return readOrtTensor(this.name, this.tensor, this.counter)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.tensor.dispose()
  }
}

/** A backend's device: how host tensors get there, and its read-back count. */
export function deviceSupport(kind: DeviceSupport['kind'], counter: ReadBackCounter, upload: DeviceSupport['upload']): DeviceSupport {
  return {
    kind,
    upload,
    get readBacks() {
      return counter.count
    },
  }
}

/** A device that is host memory (onnxruntime-node): the resident loop runs unchanged, each read counted. */
export function hostDeviceSupport(TensorClass: OrtTensorConstructor, counter: ReadBackCounter): DeviceSupport {
  return deviceSupport('host', counter, async (tensor) => new OrtDeviceTensor(new TensorClass(tensor.dtype, tensor.data, tensor.dims), counter, 'uploaded tensor'))
}
