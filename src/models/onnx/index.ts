// ONNX ModelProto codec and graph utilities (browser-safe: no Node imports).
export * from './types.js'
export { decodeModel, encodeMessage, encodeModel } from './codec.js'
export * from './factories.js'
export * from './graph.js'
export * from './tensor-data.js'
export * from './external-data.js'
export * from './scan.js'
export * from './float16.js'
