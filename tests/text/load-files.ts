// Test helper: the real CLIP vocab.json + merges.txt. The repository's own copy (public/models/tiny-sd15/tokenizer)
// is preferred; ../shared/assets/clip-tokenizer is the fallback while that copy does not exist yet.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const candidates = [join(repoRoot, 'public', 'models', 'tiny-sd15', 'tokenizer'), join(repoRoot, '..', 'shared', 'assets', 'clip-tokenizer')]

export function clipTokenizerDir(): string {
  const dir = candidates.find((d) => existsSync(join(d, 'vocab.json')) && existsSync(join(d, 'merges.txt')))
  if (!dir) throw new Error(`CLIP tokenizer files not found in ${candidates.join(' or ')}`)
  return dir
}

export function readClipFiles(): { vocabJson: string; mergesTxt: string } {
  const dir = clipTokenizerDir()
  return { vocabJson: readFileSync(join(dir, 'vocab.json'), 'utf8'), mergesTxt: readFileSync(join(dir, 'merges.txt'), 'utf8') }
}

export function readFixture(name: string): string {
  return readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name), 'utf8')
}
