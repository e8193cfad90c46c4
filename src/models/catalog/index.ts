// The model catalog's pure half: entry types, kind detection, names, routing and the bundled manifest.
export * from './types.js'
export { detectModel, detectSafetensors, folderBytes, type DetectedModel } from './detect.js'
export { describeLoraKeys, loraDetail, type LoraBase, type LoraFormat, type LoraInfo } from './lora-info.js'
export { modelNameProblem, modelNamePathProblem, namesOverlap, sanitizeModelName, uniqueModelName } from './names.js'
export { modelPath, RoutingFileSource, type Route, type RoutedMount } from './routing.js'
export { bundledEntry, BUNDLED_MANIFEST, parseBundledManifest, scanBundledModels, serializeBundledManifest, type BundledModel } from './bundled.js'
export { entryForName, isMissingModel, modelChoices } from './lookup.js'
export { formatBytes, formatDuration } from './format.js'
