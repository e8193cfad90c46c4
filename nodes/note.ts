// Notes: text on the canvas, never executed.
import { string } from '../src/engine/index.js'
import { defineHostNode } from './define.js'

export const note = defineHostNode({
  type: 'Note',
  version: 1,
  displayName: 'Note',
  category: 'utils',
  description: 'A text note on the canvas. It has no sockets and never runs.',
  virtual: true,
  inputs: { text: string({ default: '', multiline: true }) },
  outputs: {},
  execute() {
    return {}
  },
})
