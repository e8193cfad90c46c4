// Entry of the engine worker. onnxruntime-web starts its WASM threads as module workers on the URL of the
// script that holds its code, named "em-pthread"; with the runtime split into its own chunk, those threads load
// only onnxruntime (which boots itself as a thread helper) and never the engine host.
import type { ToWorker } from './protocol.js'

if (self.name.startsWith('em-pthread')) {
  await import('onnxruntime-web')
} else {
  // Messages sent while the host module loads would be lost without a handler: keep them for the host.
  const backlog: MessageEvent<ToWorker>[] = []
  self.onmessage = (event: MessageEvent<ToWorker>) => backlog.push(event)
  const host = await import('./engine-host.js')
  host.start(backlog)
}
