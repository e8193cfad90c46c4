// Public surface of the graph library: file format, conversions, PNG metadata and ComfyUI import.
export * from './schema.js'
export { GraphFileError } from './errors.js'
export { parseGraphFile, parseGraphFileWithWarnings, readJson, refuseHostileKeys, serializeGraphFile, validateGraphDocument } from './parse.js'
export type { ParseResult } from './parse.js'
export { migrateGraph } from './migrate.js'
export type { MigrationRegistry, MigrationReport } from './migrate.js'
export { applyOverrides, parseOverride, toExecGraph, OverrideError } from './exec.js'
export type { NodeDeclarations, ParsedOverride } from './exec.js'
export {
  GRAPH_KEYWORD, PngError, crc32, decodePng, embedGraphInPng, encodePng, extractGraphFromPng, readChunks, readPngTextChunks, textChunk,
} from './png.js'
export type { DecodedPng, PngChunk, PngGraph } from './png.js'
export { importComfyDocument, importComfyUI, schedulerPreset, WIDGET_ORDER } from './comfyui.js'
export type { ComfyImportReport, ComfyImportResult } from './comfyui.js'
export { HOSTILE_KEYS, HostileKeyError, JsonSyntaxError, assertNoHostileKeys, parseJsonSafely } from './safe-json.js'
export type { JsonValue } from './safe-json.js'
export { isPng, looksLikeGraphText, openGraphBytes, openGraphText } from './open.js'
export type { OpenedGraphSource } from './open.js'
