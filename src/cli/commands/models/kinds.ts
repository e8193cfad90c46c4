// The kind column of `models list`, from the catalog's detector (the same one the editor's Models panel uses).
import type { FoundModel } from './walk.js'

export async function describeModelKind(model: FoundModel): Promise<string> {
  return model.shape === 'pipeline-folder' ? 'pipeline' : model.shape === 'model-folder' ? 'model' : model.name.endsWith('.onnx') ? 'onnx' : 'safetensors'
}
