// defineNode with this project's host services bound, so every node's ctx.services is typed.
import { defineNode, type AnyNodeDefinition, type InputSpec, type NodeDefinition, type OutputSpec } from '../src/engine/index.js'
import type { NodeServices } from './services.js'
import './types.js'

export function defineHostNode<const I extends Record<string, InputSpec>, const O extends Record<string, OutputSpec>>(
  definition: NodeDefinition<I, O, NodeServices>,
): NodeDefinition<I, O, NodeServices> & AnyNodeDefinition {
  return defineNode<I, O, NodeServices>(definition)
}
