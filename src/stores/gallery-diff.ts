// What changed between two runs' parameters: the gallery labels each image with the inputs that differ from the
// run before it ("eta 0.3 → 0.5", "lora scale 1 → 0.8"), and the compare view lists every difference of two images.
// Pure functions (no Vue, no DOM), unit-tested in tests/stores/gallery-diff.test.ts.

export type Parameters = Readonly<Record<string, string | number | boolean>>

/** A difference in one input: `before` is undefined when the input is new, `after` when it went away. */
export interface ParameterChange {
  readonly name: string
  readonly before: string | undefined
  readonly after: string | undefined
}

/** Parameters that are results of the run (scores a node added), not inputs that made the image. */
export function isResult(key: string): boolean {
  return key.startsWith('scene_') || key.startsWith('aesthetic_score')
}

const LORA_KEY = /^lora_(\d+)$/

/** Numbers without float noise ("0.4999999999999996" → "0.5", "-1.0000003814697265" → "-1"). */
export function formatValue(value: string | number | boolean): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)))
  return String(value)
}

/** A LoRA parameter "name:scale:mode" (the name may itself hold colons, e.g. "local:…"). */
export function parseLora(value: string): { name: string; scale: string; mode: string } {
  const parts = value.split(':')
  if (parts.length < 3) return { name: value, scale: '', mode: '' }
  const mode = parts.pop()!
  const scale = parts.pop()!
  const number = Number(scale)
  return { name: parts.join(':'), scale: Number.isFinite(number) ? formatValue(number) : scale, mode }
}

export function shortModelName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1)
  return base.replace(/\.(safetensors|onnx|ckpt|pt)$/, '')
}

/** "lora_2" → "lora 2", "lora_1" → "lora" when there is only one LoRA. */
function loraLabel(index: string, loneLora: boolean): string {
  return loneLora ? 'lora' : `lora ${index}`
}

/** The inputs that differ between two runs, LoRAs split into name, scale and mode; results and derived values left out. */
export function parameterChanges(previous: Parameters, current: Parameters): ParameterChange[] {
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(current)])].filter((k) => !isResult(k))
  const loraCount = Math.max(countLoras(previous), countLoras(current))
  const changed = (key: string): boolean => previous[key] !== current[key] && formatOrUndefined(previous[key]) !== formatOrUndefined(current[key])
  // The timesteps follow from steps and scheduler: name them only when they changed on their own (custom timesteps).
  const scheduleChanged = changed('steps') || changed('scheduler')
  const changes: ParameterChange[] = []
  for (const key of keys) {
    if (!changed(key) || (key === 'timesteps' && scheduleChanged)) continue
    const before = formatOrUndefined(previous[key])
    const after = formatOrUndefined(current[key])
    const lora = LORA_KEY.exec(key)
    if (lora && before !== undefined && after !== undefined) changes.push(...loraChanges(loraLabel(lora[1]!, loraCount === 1), before, after))
    else if (lora) changes.push({ name: loraLabel(lora[1]!, loraCount === 1), before: before && shortModelName(parseLora(before).name), after: after && shortModelName(parseLora(after).name) })
    else changes.push({ name: key.replace(/_/g, ' '), before, after })
  }
  return changes.sort((a, b) => rank(a.name) - rank(b.name))
}

function loraChanges(label: string, before: string, after: string): ParameterChange[] {
  const a = parseLora(before)
  const b = parseLora(after)
  if (a.name !== b.name) return [{ name: label, before: shortModelName(a.name), after: shortModelName(b.name) }]
  const changes: ParameterChange[] = []
  if (a.scale !== b.scale) changes.push({ name: `${label} scale`, before: a.scale, after: b.scale })
  if (a.mode !== b.mode) changes.push({ name: `${label} mode`, before: a.mode, after: b.mode })
  return changes
}

function countLoras(parameters: Parameters): number {
  return Object.keys(parameters).filter((k) => LORA_KEY.test(k)).length
}

function formatOrUndefined(value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : formatValue(value)
}

/** The order a person scans for: the usual knobs first, the prompt and the rest after. */
const ORDER = ['seed', 'steps', 'scheduler', 'eta', 'cfg', 'denoise', 'lora', 'lora scale', 'lora mode', 'model', 'prompt', 'negative prompt']

function rank(name: string): number {
  const i = ORDER.indexOf(name)
  return i < 0 ? ORDER.length : i
}

/** "eta 0.3 → 0.5", "lora 2 added (x)", "no negative prompt"; long texts (prompts) just say they changed. */
export function changeText(change: ParameterChange): string {
  const { name, before, after } = change
  if (before === undefined) return `${name} ${short(after!) ?? 'added'}`.trim()
  if (after === undefined) return `no ${name}`
  const a = short(before)
  const b = short(after)
  return a === null || b === null ? `${name} changed` : `${name} ${a} → ${b}`
}

const SHORT = 24

function short(text: string): string | null {
  return text.length <= SHORT ? text : null
}

/** The gallery label: what changed since the previous run (at most `limit` changes, then "+N more"). */
export function changeLabel(previous: Parameters | null, current: Parameters, limit = 3): string {
  if (previous === null) return firstLabel(current)
  const changes = parameterChanges(previous, current)
  if (changes.length === 0) return 'same inputs'
  const parts = changes.slice(0, limit).map(changeText)
  if (changes.length > limit) parts.push(`+${changes.length - limit} more`)
  return parts.join(' · ')
}

/** The first image has nothing to compare with: its seed and step count. */
function firstLabel(parameters: Parameters): string {
  const parts: string[] = []
  if (parameters['seed'] !== undefined) parts.push(`seed ${formatValue(parameters['seed'])}`)
  if (parameters['steps'] !== undefined) parts.push(`${formatValue(parameters['steps'])} steps`)
  return parts.length > 0 ? parts.join(' · ') : 'first image'
}
