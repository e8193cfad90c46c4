// Model names in graphs ("tiny-sd15", "loras/x.safetensors") -> local paths, with `--model NAME=PATH` overrides.
import { isAbsolute, resolve } from 'node:path'
import { UsageError } from './args.js'

export interface ModelResolver {
  resolve(name: string): string
}

export function parseModelOverrides(specs: readonly string[]): Map<string, string> {
  const overrides = new Map<string, string>()
  for (const spec of specs) {
    const eq = spec.indexOf('=')
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--model expects NAME=PATH, got "${spec}"`)
    overrides.set(spec.slice(0, eq), resolve(spec.slice(eq + 1)))
  }
  return overrides
}

export function createModelResolver(modelsRoot: string, overrides: ReadonlyMap<string, string>): ModelResolver {
  return {
    resolve(name) {
      const override = overrides.get(name)
      if (override) return override
      if (/^https?:\/\//i.test(name)) {
        throw new UsageError(`model "${name}" is a URL; the CLI reads local files: download it and pass --model ${name}=PATH`)
      }
      if (isAbsolute(name)) return name
      if (name.startsWith('./') || name.startsWith('../')) return resolve(name)
      return resolve(modelsRoot, name)
    },
  }
}
