// The engine's executable graph: node ids, types and named inputs. Layout lives elsewhere (src/graph).

export interface LinkRef {
  /** [source node id, output name] */
  readonly from: readonly [string, string]
}

export type LiteralValue = number | string | boolean | null

export type InputBinding = LiteralValue | LinkRef

export interface ExecNode {
  readonly id: string
  readonly type: string
  readonly title?: string
  readonly inputs: Readonly<Record<string, InputBinding>>
  /** Bypassed nodes pass matching inputs through; muted nodes do not run (see node-modes.ts). */
  readonly mode?: 'bypass' | 'mute'
}

export interface ExecGraph {
  readonly nodes: readonly ExecNode[]
}

export function isLink(value: unknown): value is LinkRef {
  if (typeof value !== 'object' || value === null || !('from' in value)) return false
  const from = (value as { from: unknown }).from
  return Array.isArray(from) && from.length === 2 && typeof from[0] === 'string' && typeof from[1] === 'string'
}
