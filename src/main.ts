// Entry point. The engine worker starts first, from this small module; the app (Vue, litegraph, the editor: a 1.3 MB
// chunk once built) is imported after it, so on a cold start the worker's script loads and onnxruntime starts on the
// second core while the browser is still fetching and parsing the app, not after.
import './worker/early-worker.js'

import('./app.js').catch((error: unknown) => {
  const message = document.createElement('pre')
  message.textContent = `Hyper-SD Studio could not load its editor: ${error instanceof Error ? error.message : String(error)}`
  document.getElementById('app')?.replaceChildren(message)
  throw error
})
