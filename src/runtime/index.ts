// Backend-independent runtime pieces. The backends live in './node.js' (onnxruntime-node) and './web.js'
// (onnxruntime-web) so that importing this file pulls in neither.
export type * from './types.js'
export { SessionCache, type SessionCacheStats } from './session-cache.js'
export {
  convertTensor,
  elementCount,
  float16ArrayToFloat32,
  float16BitsToFloat32,
  float32ArrayToFloat16,
  float32ToFloat16Bits,
  hostTensor,
  toFloat32,
} from './tensor.js'
