// The CLI's cell store: DIR/<key>.png and DIR/<key>.json, each written atomically (temp + rename), the JSON last,
// so a cell counts as done only when both are whole. A sweep resumes from whatever cells the folder holds.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cellFromRecord, cellRecordJson, type CellResult, type CellStore } from '../../sweep/index.js'

const KEY = /^[0-9a-f]{32}$/

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.${process.pid}.partial`
  await writeFile(temp, data)
  await rename(temp, path)
}

export class FileCellStore implements CellStore {
  constructor(readonly folder: string) {}

  private paths(key: string): { png: string; json: string } {
    // Keys come from our own hash; refusing anything else keeps paths inside the folder.
    if (!KEY.test(key)) throw new Error(`invalid cell key "${key}"`)
    return { png: join(this.folder, `${key}.png`), json: join(this.folder, `${key}.json`) }
  }

  async get(key: string): Promise<CellResult | undefined> {
    const paths = this.paths(key)
    const json = await readIfPresent(paths.json)
    if (!json) return undefined
    const png = await readIfPresent(paths.png)
    if (!png) return undefined
    return cellFromRecord(key, new TextDecoder().decode(json), png, paths.json)
  }

  async put(result: CellResult): Promise<void> {
    const paths = this.paths(result.key)
    await mkdir(this.folder, { recursive: true })
    await writeAtomically(paths.png, result.png)
    await writeAtomically(paths.json, cellRecordJson(result))
  }
}
