// Where bundled files live relative to this source file (works from a clone and an npm install).
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..')
}

export function defaultModelsRoot(): string {
  return join(projectRoot(), 'public', 'models')
}
