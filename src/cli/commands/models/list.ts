// `hypersd models list [--models-dir DIR] [--json]`: every model a graph can name, with its kind, size, where it
// came from and its state.
import { formatBytes } from '../../../models/catalog/format.js'
import { readManifest } from '../../../hub/manifest.js'
import { NodeRepoStore } from '../../../hub/node-store.js'
import { rejectUnknown, type ParsedArgs } from '../../args.js'
import { describeModelKind } from './kinds.js'
import { modelsDir } from './pull.js'
import { findModels } from './walk.js'

export interface ListedModel {
  readonly name: string
  readonly kind: string
  readonly bytes: number
  readonly source: string
  readonly state: 'ready' | 'partial' | 'failed'
}

export async function listModels(root: string): Promise<ListedModel[]> {
  const listed: ListedModel[] = []
  const manifests = new Map<string, Awaited<ReturnType<typeof readManifest>>>()
  for (const model of await findModels(root)) {
    let source = 'local'
    let state: ListedModel['state'] = 'ready'
    if (model.pulledFrom) {
      if (!manifests.has(model.pulledFrom)) manifests.set(model.pulledFrom, await readManifest(new NodeRepoStore(model.pulledFrom)).catch(() => undefined))
      const manifest = manifests.get(model.pulledFrom)
      if (manifest) {
        source = `${manifest.endpoint.replace(/^https?:\/\//, '')}: ${manifest.repo}@${manifest.revision}`
        const prefix = model.name.slice(manifest.repo.length + 1)
        const mine = manifest.files.filter((f) => prefix === '' || f.path === prefix || f.path.startsWith(`${prefix}/`))
        state = mine.some((f) => f.state === 'failed') ? 'failed' : mine.every((f) => f.state === 'complete') ? 'ready' : 'partial'
      }
    }
    listed.push({ name: model.name, kind: await describeModelKind(model), bytes: model.bytes, source, state })
  }
  return listed
}

export async function listCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['models-dir', 'json', 'verbose'])
  const root = modelsDir(args)
  const models = await listModels(root)
  if (args.options.has('json')) {
    process.stdout.write(`${JSON.stringify(models, null, 2)}\n`)
    return 0
  }
  if (models.length === 0) {
    process.stdout.write(`no models under ${root}\n`)
    return 0
  }
  const width = Math.max(...models.map((m) => m.name.length))
  const kindWidth = Math.max(...models.map((m) => m.kind.length))
  process.stdout.write(`models under ${root}:\n`)
  for (const m of models) {
    process.stdout.write(`  ${m.name.padEnd(width)}  ${m.kind.padEnd(kindWidth)}  ${formatBytes(m.bytes).padStart(9)}  ${m.state.padEnd(7)}  ${m.source}\n`)
  }
  return 0
}
