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

/** An onnxruntime output as a HostTensor; `owned`: the data is a copy JS may keep (else it is sliced). */
export function hostFromOrt(name: string, type: string, dims: readonly number[], data: unknown, owned: boolean): HostTensor {
  const keep = <T extends { slice(): T }>(array: T): T => (owned ? array : array.slice())
  switch (type) {
    case 'float32':
      return hostTensor('float32', dims, keep(data as Float32Array))
    case 'float16': {
      const view = data as ArrayBufferView & { length: number }
      const bits = new Uint16Array(view.buffer, view.byteOffset, view.length)
      return hostTensor('float16', dims, keep(bits))
    }
    case 'int32':
      return hostTensor('int32', dims, keep(data as Int32Array))
    case 'int64':
      return hostTensor('int64', dims, keep(data as BigInt64Array))
    case 'uint8':
    case 'bool':
      return hostTensor(type, dims, keep(data as Uint8Array))
    default:
      throw new Error(`output "${name}" has unsupported type ${type}`)
  }
}

/** Copies an onnxruntime tensor to the host: in place for CPU tensors, downloaded (and counted) from the GPU. */
export async function readOrtTensor(name: string, tensor: Tensor, counter: ReadBackCounter): Promise<HostTensor> {
  const dims = [...tensor.dims]
  if (tensor.location === 'cpu') return hostFromOrt(name, tensor.type, dims, tensor.data, false)
  counter.count++
  return hostFromOrt(name, tensor.type, dims, await tensor.getData(), true)
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
    // A host-memory device counts too: the loop's read-backs are the same calls whatever the backend.
    if (this.tensor.location === 'cpu') this.counter.count++
    return readOrtTensor(this.name, this.tensor, this.counter)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.tensor.dispose()
  }
}

/** A device that is host memory (onnxruntime-node, WASM): the resident loop runs unchanged, each read counted. */
export function hostDeviceSupport(TensorClass: OrtTensorConstructor, counter: ReadBackCounter): DeviceSupport {
  return {
    kind: 'host',
    upload: async (tensor) => new OrtDeviceTensor(new TensorClass(tensor.dtype, tensor.data, tensor.dims), counter, 'uploaded tensor'),
    get readBacks() {
      return counter.count
    },
  }
}
