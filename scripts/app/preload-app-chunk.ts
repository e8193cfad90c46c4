// src/main.ts starts the engine worker and then imports the app (src/app.ts), which Rollup makes its own chunk. The
// page asks for that chunk and its stylesheet up front, so they download and parse while the small entry runs,
// instead of after it: a build-only Vite plugin that adds the two links to index.html.
import type { Plugin } from 'vite'

const APP_MODULE = '/src/app.ts'

export function preloadAppChunk(): Plugin {
  let base = '/'
  return {
    name: 'hypersd-preload-app-chunk',
    apply: 'build',
    configResolved(config) {
      base = config.base
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isDynamicEntry && c.moduleIds.some((id) => id.endsWith(APP_MODULE)))
        if (!chunk || chunk.type !== 'chunk') throw new Error(`preload-app-chunk: no chunk for ${APP_MODULE} in the build`)
        const css = [...(chunk.viteMetadata?.importedCss ?? [])]
        return [
          { tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${chunk.fileName}` }, injectTo: 'head' },
          ...css.map((file) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `${base}${file}` }, injectTo: 'head' as const })),
        ]
      },
    },
  }
}
