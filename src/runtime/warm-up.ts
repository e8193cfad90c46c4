// Starting onnxruntime-web before the first run. Its first session compiles and instantiates the runtime's
// WebAssembly (tens of MB; with threads it also starts the pthread workers), seconds on a busy 2-core machine that
// the first model load would otherwise pay. A one-node model made here triggers that work while the user is still
// looking at the graph; onnxruntime shares the one initialisation with every later session.

/** Protobuf wire format, just enough for the model below (onnx.proto field numbers). */
function varint(value: number): number[] {
  const out: number[] = []
  let v = value
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}
const int = (field: number, value: number): number[] => [...varint(field << 3), ...varint(value)]
const bytes = (field: number, payload: readonly number[]): number[] => [...varint((field << 3) | 2), ...varint(payload.length), ...payload]
const text = (field: number, value: string): number[] => bytes(field, [...new TextEncoder().encode(value)])

const FLOAT = 1

/** ValueInfoProto for a float tensor of shape [1]. */
function floatOfOne(name: string): number[] {
  const shape = bytes(1, int(1, 1)) // TensorShapeProto.dim { dim_value: 1 }
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)] // TypeProto.Tensor { elem_type, shape }
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))] // ValueInfoProto { name, type { tensor_type } }
}

/** ModelProto of `y = Identity(x)`, x and y float[1] (IR 7, opset 13). */
export function identityModel(): Uint8Array {
  const node = [...text(1, 'x'), ...text(2, 'y'), ...text(4, 'Identity')]
  const graph = [...bytes(1, node), ...text(2, 'warm-up'), ...bytes(11, floatOfOne('x')), ...bytes(12, floatOfOne('y'))]
  const opset = [...text(1, ''), ...int(2, 13)]
  return new Uint8Array([...int(1, 7), ...bytes(7, graph), ...bytes(8, opset)])
}
