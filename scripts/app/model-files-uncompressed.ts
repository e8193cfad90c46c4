// A Vite plugin: model weights are served as they are, never gzipped on the fly. `vite preview` compresses every
// response whose Content-Type looks like text, and it sends .onnx and .safetensors files with an empty one, so each
// model download was gzipped by the server (0.7 s of CPU for a 17 MB UNet here, for weights that barely compress),
// without a Content-Length: the cold first image took 1.2 s longer than from a plain static server.
import type { Connect, Plugin } from 'vite'

/** Files of weights: binary, large, incompressible. */
export const MODEL_FILE = /\.(onnx|onnx_data|safetensors|bin|data|pb|ort)$/i

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
    configureServer(server) {
      server.middlewares.use(identityEncoding)
    },
  }
}
