// Human-readable descriptions of node declarations, shared by CLI help and generated docs.
import type { AnyNodeDefinition, InputSpec } from './spec.js'

export function describeInputSpec(spec: InputSpec): string {
  switch (spec.kind) {
    case 'socket':
      return `${spec.type}${spec.optional ? ' (optional)' : ''}`
    case 'int':
    case 'float': {
      const range = spec.min !== undefined || spec.max !== undefined ? `, ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}` : ''
      const step = spec.step !== undefined ? `, step ${spec.step}` : ''
      const multiple = spec.kind === 'int' && spec.multipleOf !== undefined ? `, multiple of ${spec.multipleOf}` : ''
      const snap = spec.kind === 'float' && spec.snap ? ', typed values snap to the step' : ''
      return `${spec.kind}, default ${spec.default}${range}${step}${multiple}${snap}${activeNote(spec)}`
    }
    case 'seed':
      return `seed, default ${spec.default}, ${spec.min}..${spec.max}, after run: ${spec.controlAfterRun}${activeNote(spec)}`
    case 'string':
      return `${spec.multiline ? 'text' : 'string'}, default ${JSON.stringify(spec.default)}${activeNote(spec)}`
    case 'boolean':
      return `boolean, default ${spec.default}${activeNote(spec)}`
    case 'combo':
      return `one of ${spec.options.join(' | ')}, default ${spec.default}${activeNote(spec)}`
  }
}

/** " (only used when scheduler is tcd)" for an input declared with activeWhen. */
function activeNote(spec: InputSpec): string {
  if (spec.kind === 'socket' || !spec.activeWhen) return ''
  return ` (only used when ${spec.activeWhen.input} is ${spec.activeWhen.in.join(' or ')})`
}

export interface NodeDoc {
  readonly type: string
  readonly title: string
  readonly category: string
  readonly description: string
  readonly inputs: readonly { name: string; summary: string; description?: string }[]
  readonly outputs: readonly { name: string; type: string; description?: string }[]
  /** What the node does in a warm-up (Engine.warmUp), when it takes part. */
  readonly warmUp?: string
}

function warmUpNote(def: AnyNodeDefinition): string | undefined {
  if (!def.warmUp) return undefined
  if (def.warmUp === 'execute') return 'runs when a graph opens, before the first run (its result is cached for it)'
  return `loads what it needs from ${def.warmUp.inputs.map((i) => `\`${i}\``).join(' and ')} when a graph opens, before the first run`
}

export function documentNode(def: AnyNodeDefinition): NodeDoc {
  return {
    type: def.type,
    title: def.displayName,
    category: def.category,
    description: def.description,
    inputs: Object.entries(def.inputs).map(([name, spec]) => ({
      name,
      summary: describeInputSpec(spec),
      ...(spec.description ? { description: spec.description } : {}),
    })),
    outputs: Object.entries(def.outputs).map(([name, out]) => ({ name, type: out.type, ...(out.description ? { description: out.description } : {}) })),
    ...(warmUpNote(def) ? { warmUp: warmUpNote(def)! } : {}),
  }
}

export function nodeHelpText(def: AnyNodeDefinition): string {
  const doc = documentNode(def)
  const lines = [`${doc.type}  (${doc.title}, ${doc.category})`, `  ${doc.description}`]
  for (const input of doc.inputs) lines.push(`  in  ${input.name}: ${input.summary}${input.description ? ` — ${input.description}` : ''}`)
  for (const out of doc.outputs) lines.push(`  out ${out.name}: ${out.type}`)
  if (doc.warmUp) lines.push(`  warm-up: ${doc.warmUp}`)
  return lines.join('\n')
}

export function nodesMarkdown(defs: readonly AnyNodeDefinition[]): string {
  const parts = ['# Node reference', '', 'Generated from the node declarations (`npm run -s hypersd -- nodes --markdown`).', '']
  for (const def of [...defs].sort((a, b) => a.category.localeCompare(b.category) || a.type.localeCompare(b.type))) {
    const doc = documentNode(def)
    parts.push(`## ${doc.title} (\`${doc.type}\`)`, '', `Category: ${doc.category}. ${doc.description}`, '')
    if (doc.inputs.length > 0) {
      parts.push('| input | kind | notes |', '|---|---|---|')
      for (const i of doc.inputs) parts.push(`| \`${i.name}\` | ${i.summary.replace(/\|/g, '\\|')} | ${(i.description ?? '').replace(/\|/g, '\\|')} |`)
      parts.push('')
    }
    if (doc.outputs.length > 0) parts.push(`Outputs: ${doc.outputs.map((o) => `\`${o.name}\` (${o.type})`).join(', ')}.`, '')
    if (doc.warmUp) parts.push(`Warm-up: ${doc.warmUp}.`, '')
  }
  return parts.join('\n')
}
