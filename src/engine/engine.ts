// Runs an executable graph: validate, plan what the output nodes need, serve cached nodes, execute the rest.
import { cacheKey } from './cache-key.js'
import type { NodeContext, PreviewImage } from './context.js'
import { GraphValidationError, InputError, NodeExecutionError, RunCancelledError } from './errors.js'
import type { EngineEvent, EngineEventListener } from './events.js'
import { isLink, type ExecGraph, type ExecNode } from './graph.js'
import type { NodeRegistry } from './registry.js'
import { ResourceLedger } from './resources.js'
import { isSocket, type AnyNodeDefinition } from './spec.js'
import { executionOrder, upstreamIds } from './topology.js'
import { planRun } from './node-modes.js'
import { hookInputs, planWarmUp } from './warm-up.js'

export interface RunOptions {
  readonly signal?: AbortSignal
  readonly onEvent?: EngineEventListener
  readonly runId?: string
  /** Node ids to produce; defaults to every output node in the graph. */
  readonly targets?: readonly string[]
  /**
   * Awaited before each node that executes (not one served from the cache). A warm-up passes one that waits while the
   * user drags the canvas, so that its work does not take the core the page draws with.
   */
  readonly beforeNode?: () => Promise<void>
}

export interface WarmUpResult {
  /** Nodes the warm-up executed (their results are cached for the run). */
  readonly executed: readonly string[]
  /** Nodes whose hooks loaded what they need. */
  readonly loaded: readonly string[]
}

export interface RunResult {
  readonly runId: string
  readonly ms: number
  readonly order: readonly string[]
  readonly nodesRun: readonly string[]
  readonly nodesCached: readonly string[]
  /** Outputs of every node in the plan, by node id. */
  readonly outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>
}

interface CacheEntry {
  readonly key: string
  readonly outputs: Readonly<Record<string, unknown>>
  /** How long the node took to compute this result. */
  readonly ms: number
}

export interface EngineOptions<S> {
  readonly registry: NodeRegistry
  readonly services: S
  /** Called with outputs that fall out of the cache, so hosts can free what they hold. */
  readonly onEvict?: (outputs: Readonly<Record<string, unknown>>) => void
  /**
   * Called with resources (named by nodes through `ctx.retain`) that no cached result retains any more: the node
   * that used them re-ran without them, failed, was deleted from the graph, or the cache was cleared.
   */
  readonly onRelease?: (resources: readonly string[]) => void
}

const now = (): number => globalThis.performance?.now() ?? Date.now()

export class Engine<S = unknown> {
  private readonly cache = new Map<string, CacheEntry>()
  private readonly resources = new ResourceLedger()
  private runCounter = 0
  private queue: Promise<unknown> = Promise.resolve()
  /** Ledger entries of what warm-up hooks loaded, held until the next completed run has taken what it needs. */
  private warmUpHolders = new Set<string>()

  constructor(private readonly options: EngineOptions<S>) {}

  get registry(): NodeRegistry {
    return this.options.registry
  }

  /** Runs are serialised: a run starts when the previous one has settled. */
  run(graph: ExecGraph, options: RunOptions = {}): Promise<RunResult> {
    const result = this.queue.then(() => this.runNow(graph, options))
    this.queue = result.catch(() => undefined)
    return result
  }

  /**
   * Loads what `graph` will need before it is run (see WarmUp in spec.ts), queued like a run. Best effort: a node
   * that fails here is left for the run to report. What hooks loaded is held until the next completed run, which
   * keeps what it uses; the rest is then released.
   */
  warmUp(graph: ExecGraph, options: RunOptions = {}): Promise<WarmUpResult> {
    const result = this.queue.then(() => this.warmUpNow(graph, options))
    this.queue = result.catch(() => undefined)
    return result
  }

  clearCache(): void {
    for (const id of [...this.cache.keys()]) this.forget(id)
    this.releaseWarmUp()
  }

  private releaseWarmUp(): void {
    for (const holder of this.warmUpHolders) this.release(this.resources.drop(holder))
    this.warmUpHolders.clear()
  }

  private async warmUpNow(graph: ExecGraph, options: RunOptions): Promise<WarmUpResult> {
    const { plan, targets, issues } = planRun(graph, this.registry)
    const none = { executed: [], loaded: [] }
    if (issues.length > 0) return none
    const warm = planWarmUp(plan.graph, executionOrder(plan.graph, targets), this.registry)
    const signal = options.signal ?? new AbortController().signal
    let outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map()
    if (warm.execute.length > 0) {
      try {
        outputs = (await this.runNow(graph, { ...options, targets: warm.execute }, false)).outputs
      } catch {
        return none
      }
    }
    const runId = options.runId ?? `warm-up-${++this.runCounter}`
    const emit = (event: EngineEvent): void => options.onEvent?.(event)
    const byId = new Map(plan.graph.nodes.map((n) => [n.id, n]))
    const loaded: string[] = []
    for (const id of warm.load) {
      if (signal.aborted) break
      const node = byId.get(id)!
      const def = this.definition(node)
      const hook = def.warmUp
      if (typeof hook !== 'object') continue
      await options.beforeNode?.()
      if (signal.aborted) break
      const retained = new Set<string>()
      try {
        await hook.load(hookInputs(node, def, hook.inputs, outputs), this.contextFor(node, signal, runId, emit, retained, () => 0))
        loaded.push(id)
      } catch {
        // The run reports it, with the node's full inputs.
      }
      // Held under a name no node id can take (ids are graph strings; this one starts with a NUL).
      const holder = `\u0000warm-up:${id}`
      this.warmUpHolders.add(holder)
      this.release(this.resources.replace(holder, retained))
    }
    return { executed: warm.execute, loaded }
  }

  /** Drops one node's cached result and releases what only it retained. */
  private forget(id: string): void {
    const entry = this.cache.get(id)
    if (!entry) return
    this.cache.delete(id)
    this.options.onEvict?.(entry.outputs)
    this.release(this.resources.drop(id))
  }

  private release(resources: readonly string[]): void {
    if (resources.length > 0) this.options.onRelease?.(resources)
  }

  /** Node ids whose results are cached, e.g. to show which nodes a change will re-run. */
  cachedNodeIds(): string[] {
    return [...this.cache.keys()]
  }

  private async runNow(graph: ExecGraph, options: RunOptions, releasesWarmUp = true): Promise<RunResult> {
    const runId = options.runId ?? `run-${++this.runCounter}`
    const emit = (event: EngineEvent): void => options.onEvent?.(event)
    const signal = options.signal ?? new AbortController().signal
    const started = now()
    try {
      // Bypassed and muted nodes are planned around; their cached results stay for when they are switched back on.
      const { plan, targets, issues } = planRun(graph, this.registry, options.targets)
      if (issues.length > 0) throw new GraphValidationError(issues)
      // Results of nodes deleted from the graph can never be used again: free them (and their sessions).
      const present = new Set(graph.nodes.map((n) => n.id))
      for (const id of [...this.cache.keys()]) if (!present.has(id)) this.forget(id)
      const byId = new Map(plan.graph.nodes.map((n) => [n.id, n]))
      const order = executionOrder(plan.graph, targets).filter((id) => !this.definition(byId.get(id)!).virtual)
      emit({ type: 'run-started', runId, order })

      const outputs = new Map<string, Readonly<Record<string, unknown>>>()
      const keys = new Map<string, string>()
      const nodesRun: string[] = []
      const nodesCached: string[] = []
      for (const id of order) {
        if (signal.aborted) throw new RunCancelledError()
        const node = byId.get(id)!
        const def = this.definition(node)
        let resolved: { values: Record<string, unknown>; key: string }
        try {
          resolved = this.resolveInputs(node, def, outputs, keys, runId)
        } catch (error) {
          if (error instanceof NodeExecutionError) emit({ type: 'node-failed', runId, nodeId: id, nodeType: node.type, message: error.message })
          throw error
        }
        const { values, key } = resolved
        keys.set(id, key)
        const cached = this.cache.get(id)
        if (cached && cached.key === key) {
          outputs.set(id, cached.outputs)
          nodesCached.push(id)
          emit({ type: 'node-cached', runId, nodeId: id, nodeType: node.type })
          continue
        }
        if (options.beforeNode) {
          await options.beforeNode()
          if (signal.aborted) throw new RunCancelledError()
        }
        emit({ type: 'node-started', runId, nodeId: id, nodeType: node.type })
        const nodeStart = now()
        const retained = new Set<string>()
        let result: Readonly<Record<string, unknown>>
        try {
          result = await this.executeNode(node, def, values, signal, runId, emit, retained, () => this.upstreamMs(id, byId))
        } catch (error) {
          // The old cached result (if any) stays, with what it retains; what only this attempt used is freed.
          this.release(this.resources.unheld(retained))
          throw error
        }
        const nodeMs = now() - nodeStart
        if (cached) this.options.onEvict?.(cached.outputs)
        this.cache.set(id, { key, outputs: result, ms: nodeMs })
        this.release(this.resources.replace(id, retained))
        outputs.set(id, result)
        nodesRun.push(id)
        emit({ type: 'node-finished', runId, nodeId: id, nodeType: node.type, ms: nodeMs })
      }
      const ms = now() - started
      // The run has retained what it uses of the warm-up's loads; nothing else needs them.
      if (releasesWarmUp) this.releaseWarmUp()
      emit({ type: 'run-finished', runId, ms, nodesRun, nodesCached })
      return { runId, ms, order, nodesRun, nodesCached, outputs }
    } catch (error) {
      if (error instanceof RunCancelledError) emit({ type: 'run-cancelled', runId })
      else {
        const nodeId = error instanceof NodeExecutionError ? error.nodeId : undefined
        emit({ type: 'run-failed', runId, message: error instanceof Error ? error.message : String(error), ...(nodeId ? { nodeId } : {}) })
      }
      throw error
    }
  }

  /** The summed compute time of every node `id` depends on, each once (iterative: graphs may be deep chains). */
  private upstreamMs(id: string, byId: ReadonlyMap<string, ExecNode>): number {
    const seen = new Set<string>()
    const stack = [...upstreamIds(byId.get(id)!)]
    let total = 0
    while (stack.length > 0) {
      const up = stack.pop()!
      if (seen.has(up)) continue
      seen.add(up)
      total += this.cache.get(up)?.ms ?? 0
      const node = byId.get(up)
      if (node) stack.push(...upstreamIds(node))
    }
    return total
  }

  private definition(node: ExecNode): AnyNodeDefinition {
    const def = this.registry.get(node.type)
    if (!def) throw new Error(`unknown node type "${node.type}"`) // unreachable after validation
    return def
  }

  private resolveInputs(
    node: ExecNode,
    def: AnyNodeDefinition,
    outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
    keys: ReadonlyMap<string, string>,
    runId: string,
  ): { values: Record<string, unknown>; key: string } {
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    const literals: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    const links: Record<string, readonly [string, string]> = Object.create(null) as Record<string, readonly [string, string]>
    for (const [name, spec] of Object.entries(def.inputs)) {
      const binding = Object.hasOwn(node.inputs, name) ? node.inputs[name] : undefined
      if (isLink(binding)) {
        const [fromId, output] = binding.from
        const value = outputs.get(fromId)?.[output]
        // An upstream node may leave an output empty (e.g. a pass-through whose input is unconnected).
        if (value === undefined && !(isSocket(spec) && spec.optional)) {
          const source = `node ${fromId} gave no value for its output "${output}"`
          throw new NodeExecutionError(node.id, node.type, `${source} (is its matching input connected?)`, undefined, name)
        }
        values[name] = value
        links[name] = [keys.get(fromId)!, output]
      } else if (isSocket(spec)) {
        values[name] = undefined
      } else {
        const value = binding === undefined || binding === null ? spec.default : binding
        values[name] = value
        literals[name] = value
      }
    }
    const key = cacheKey({ type: def.type, version: def.version, literals, links, ...(def.alwaysRun ? { salt: runId } : {}) })
    return { values, key }
  }

  private async executeNode(
    node: ExecNode,
    def: AnyNodeDefinition,
    values: Record<string, unknown>,
    signal: AbortSignal,
    runId: string,
    emit: (event: EngineEvent) => void,
    retained: Set<string>,
    upstreamMs: () => number,
  ): Promise<Readonly<Record<string, unknown>>> {
    const ctx = this.contextFor(node, signal, runId, emit, retained, upstreamMs)
    try {
      const result = await def.execute(values, ctx)
      if (signal.aborted) throw new RunCancelledError()
      return result
    } catch (error) {
      if (error instanceof RunCancelledError || signal.aborted) throw new RunCancelledError()
      const wrapped =
        error instanceof NodeExecutionError
          ? error
          : new NodeExecutionError(node.id, node.type, error instanceof Error ? error.message : String(error), error, error instanceof InputError ? error.input : undefined)
      emit({ type: 'node-failed', runId, nodeId: node.id, nodeType: node.type, message: wrapped.message })
      throw wrapped
    }
  }

  private contextFor(
    node: ExecNode,
    signal: AbortSignal,
    runId: string,
    emit: (event: EngineEvent) => void,
    retained: Set<string>,
    upstreamMs: () => number,
  ): NodeContext<unknown> {
    return {
      nodeId: node.id,
      nodeType: node.type,
      signal,
      services: this.options.services,
      progress: (value: number, max: number, preview?: PreviewImage) =>
        emit({ type: 'progress', runId, nodeId: node.id, value, max, ...(preview ? { preview } : {}) }),
      stage: (text: string) => emit({ type: 'stage', runId, nodeId: node.id, stage: text }),
      warn: (message: string) => emit({ type: 'node-warning', runId, nodeId: node.id, message }),
      checkCancelled: () => {
        if (signal.aborted) throw new RunCancelledError()
      },
      retain: (resource: string) => void retained.add(resource),
      upstreamMs,
    }
  }
}
