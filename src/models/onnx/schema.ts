// The ONNX messages (onnx-messages.ts) as a protobufjs root, built in code: no .proto file is fetched at runtime, so
// it works the same in Node and in a browser Web Worker. Used to encode; decoding reads the wire format (decode.ts).

import protobuf from 'protobufjs/light.js'
import { installLongSupport } from './long.js'
import { ONNX_MESSAGES, type Fields, type MessageName } from './onnx-messages.js'

let root: protobuf.Root | undefined

/** The resolved protobufjs root holding every ONNX message type (built once, lazily). */
export function onnxRoot(): protobuf.Root {
  if (root) return root
  installLongSupport()
  const nested: Record<string, { fields: Fields }> = {}
  for (const [name, fields] of Object.entries(ONNX_MESSAGES)) nested[name] = { fields }
  root = protobuf.Root.fromJSON({ nested: { onnx: { nested } } })
  root.resolveAll()
  return root
}

export function messageType(name: MessageName): protobuf.Type {
  return onnxRoot().lookupType(`onnx.${name}`)
}
