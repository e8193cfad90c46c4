// The kind column of `models list`, from the catalog's detector (the one the editor's Models panel uses).
import { detectModel } from '../../../models/catalog/detect.js'
import { NodeFileSource } from '../../../models/node-files.js'
import type { FoundModel } from './walk.js'

export async function describeModelKind(model: FoundModel): Promise<string> {
  try {
    const found = await detectModel(new NodeFileSource(model.path), '', model.shape === 'file' ? model.path : '')
    return found.detail ? `${found.kind} (${found.detail})` : found.kind
  } catch (error) {
    return `unreadable (${error instanceof Error ? error.message : String(error)})`
  }
}
