// A Vite plugin: `vite preview` (`npm run preview`; `npm start` has its own server, serve.ts) sends model weights as
// they are, never gzipped on the fly. It compresses every response whose Content-Type looks like text, and it sends
// .onnx and .safetensors files with an empty one, so each model download was gzipped by the server (about 0.7 s of
// CPU for a 17 MB UNet here, for weights that barely compress), without a Content-Length. Vite's dev server
// compresses nothing.
import type { Connect, Plugin } from 'vite'

/** Files of weights: binary, large, incompressible. */
const MODEL_FILE = /\.(onnx|onnx_data|safetensors|bin|data|pb|ort)$/i

const identityEncoding: Connect.NextHandleFunction = (req, _res, next) => {
  const path = (req.url ?? '').split('?')[0] ?? ''
  if (MODEL_FILE.test(path)) req.headers['accept-encoding'] = 'identity'
  next()
}

export function modelFilesUncompressed(): Plugin {
  return {
    name: 'hypersd:model-files-uncompressed',
    configurePreviewServer(server) {
      server.middlewares.use(identityEncoding)
    },
  }
}
