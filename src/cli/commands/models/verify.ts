// `hypersd models verify [OWNER/REPO ...] [--models-dir DIR]`: re-checks pulled files (size and sha256) against
// their download record. Exit code 1 when any file is missing, incomplete or changed.
import { checkRepoId } from '../../../hub/endpoint.js'
import { NodeRepoStore, repoFolder } from '../../../hub/node-store.js'
import { verifyStore } from '../../../hub/verify.js'
import { rejectUnknown, type ParsedArgs } from '../../args.js'
import { modelsDir, nodeSha256 } from './pull.js'
import { findPulledRepos } from './walk.js'

export async function verifyCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['models-dir', 'verbose'])
  const root = modelsDir(args)
  const repos = args.positionals.length > 0 ? args.positionals.map(checkRepoId) : await findPulledRepos(root)
  if (repos.length === 0) {
    process.stdout.write(`no pulled repositories under ${root}\n`)
    return 0
  }
  let failures = 0
  for (const repo of repos) {
    const result = await verifyStore(new NodeRepoStore(repoFolder(root, repo)), nodeSha256)
    const bad = result.files.filter((f) => !f.ok)
    failures += bad.length
    process.stdout.write(`${result.ok ? 'ok    ' : 'FAILED'} ${repo}${result.manifest ? `@${result.manifest.revision}` : ''}: ${result.files.length - bad.length}/${result.files.length} files verified\n`)
    for (const file of bad) process.stdout.write(`         ${file.path}: ${file.problem}\n`)
  }
  return failures === 0 ? 0 : 1
}
