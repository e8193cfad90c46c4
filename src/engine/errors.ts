// Errors that name where they happened: node id, node type and input.

export interface IssueLocation {
  readonly nodeId?: string
  readonly nodeType?: string
  readonly input?: string
}

export type ValidationCode =
  | 'unknown-node-type'
  | 'duplicate-node-id'
  | 'missing-input'
  | 'unknown-input'
  | 'missing-link-node'
  | 'missing-link-output'
  | 'type-mismatch'
  | 'wrong-value-type'
  | 'out-of-range'
  | 'not-in-options'
  | 'cycle'
  | 'no-output-node'
  | 'inactive-node'
  | 'muted-input'
  | 'bypassed-input'

export interface ValidationIssue extends IssueLocation {
  readonly code: ValidationCode
  readonly message: string
  /** For cycles: the node ids in the cycle, in order. */
  readonly cycle?: readonly string[]
}

export function describeLocation(loc: IssueLocation): string {
  const parts: string[] = []
  if (loc.nodeId !== undefined) parts.push(`node ${loc.nodeId}${loc.nodeType ? ` (${loc.nodeType})` : ''}`)
  else if (loc.nodeType) parts.push(loc.nodeType)
  if (loc.input) parts.push(`input "${loc.input}"`)
  return parts.join(', ')
}

export class GraphValidationError extends Error {
  override readonly name = 'GraphValidationError'
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(issues.length === 1 ? issues[0]!.message : `${issues.length} problems: ${issues.map((i) => i.message).join('; ')}`)
  }
}

/** A failure inside a node's execute, wrapped so hosts can show which node and input failed. */
export class NodeExecutionError extends Error {
  override readonly name = 'NodeExecutionError'
  constructor(
    readonly nodeId: string,
    readonly nodeType: string,
    readonly detail: string,
    override readonly cause?: unknown,
    readonly input?: string,
  ) {
    super(`${describeLocation({ nodeId, nodeType, input })}: ${detail}`)
  }
}

/**
 * Thrown by nodes (and the libraries they call) to blame one input, e.g. a missing model folder.
 * The executor turns it into a NodeExecutionError naming the node and that input.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message)
  }
}

export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError'
  constructor() {
    super('Run cancelled')
  }
}
