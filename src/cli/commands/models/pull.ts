// `hypersd models pull OWNER/REPO [FILE...] [--revision R] [--subfolder S] [--models-dir DIR] [--endpoint URL]`:
// resumable, verified downloads into DIR/OWNER/REPO/<path in the repository>.
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { chooseEndpoint, parseRepoInput, type RepoRef } from '../../../hub/endpoint.js'
import { HubError } from '../../../hub/errors.js'
import { NodeRepoStore, repoFolder } from '../../../hub/node-store.js'
import { pullRepo } from '../../../hub/pull.js'
import type { Sha256Hasher } from '../../../hub/sha256.js'
import { rejectUnknown, single, UsageError, type ParsedArgs } from '../../args.js'
import { createPullReporter } from '../../download-progress.js'
import { defaultModelsRoot } from '../../paths.js'

export const nodeSha256 = (): Sha256Hasher => {
  const hash = createHash('sha256')
  return { update: (bytes) => void hash.update(bytes), hex: () => hash.digest('hex') }
}

export function modelsDir(args: ParsedArgs): string {
  return resolve(single(args, 'models-dir') ?? defaultModelsRoot())
}

export async function pullCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['revision', 'subfolder', 'models-dir', 'endpoint', 'token', 'retries', 'verbose', 'quiet'])
  const [repoArg, ...files] = args.positionals
  if (!repoArg) throw new UsageError('usage: hypersd models pull OWNER/REPO [FILE...] [--revision R] [--subfolder S] [--models-dir DIR] [--endpoint URL]')
  const parsed = parseRepoInput(repoArg)
  const revision = single(args, 'revision')
  const subfolder = single(args, 'subfolder')
  const ref: RepoRef = { ...parsed.ref, ...(revision ? { revision } : {}), ...(subfolder ? { subfolder } : {}) }
  const wanted = parsed.file ? [parsed.file, ...files] : files
  const endpoint = chooseEndpoint(single(args, 'endpoint'), process.env['HF_ENDPOINT'])
  const token = single(args, 'token') ?? process.env['HF_TOKEN']
  const retries = Number(single(args, 'retries') ?? 2)
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError('--retries expects a whole number ≥ 0')
  const root = repoFolder(modelsDir(args), ref.repo)
  const quiet = args.options.has('quiet')
  const reporter = createPullReporter(process.stderr)
  const controller = new AbortController()
  const onSignal = (): void => controller.abort()
  process.once('SIGINT', onSignal)
  process.stderr.write(`pulling ${ref.repo}@${ref.revision}${ref.subfolder ? `/${ref.subfolder}` : ''} from ${endpoint} into ${root}\n`)
  try {
    const result = await pullRepo({
      endpoint,
      ref,
      files: wanted,
      store: new NodeRepoStore(root),
      fetch: (input, init) => fetch(input, init),
      signal: controller.signal,
      retries,
      createHasher: nodeSha256,
      ...(token ? { token } : {}),
      ...(quiet ? {} : { onProgress: (p) => reporter.update(p) }),
    })
    reporter.end()
    process.stderr.write(`${result.downloaded.length} downloaded, ${result.skipped.length} already complete; every file verified\n`)
    const names = wanted.length > 0 ? result.manifest.files.filter((f) => wanted.some((w) => f.path === w || f.path === `${ref.subfolder}/${w}`)).map((f) => `${ref.repo}/${f.path}`) : [ref.subfolder ? `${ref.repo}/${ref.subfolder}` : ref.repo]
    process.stdout.write(`${names.map((n) => `use in graphs: ${n}`).join('\n')}\n`)
    return 0
  } catch (error) {
    reporter.end()
    if (error instanceof HubError && error.kind === 'aborted') {
      process.stderr.write('hypersd: pull stopped; run the same command again to resume\n')
      return 130
    }
    throw error
  } finally {
    process.off('SIGINT', onSignal)
  }
}
