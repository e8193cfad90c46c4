// Seed "control after run" (as ComfyUI's control_after_generate): after a run is queued, each seed widget is
// left alone, incremented, decremented or randomised according to its companion control widget.
import type { GraphEditor } from '../editor/editor.js'
import { SEED_CONTROLS, seedControlName } from '../editor/node-types.js'
import type { SeedControl } from '../engine/spec.js'

export function nextSeed(value: number, control: SeedControl, min: number, max: number, random: () => number = Math.random): number {
  switch (control) {
    case 'fixed':
      return value
    case 'increment':
      return value >= max ? min : value + 1
    case 'decrement':
      return value <= min ? max : value - 1
    case 'randomize': {
      // Two 26-bit draws cover the 2^53 seed range with an even spread.
      const span = max - min + 1
      const draw = Math.floor(random() * 2 ** 26) * 2 ** 26 + Math.floor(random() * 2 ** 26)
      return min + (draw % span)
    }
  }
}

export function applySeedControls(editor: GraphEditor): void {
  let changed = false
  for (const node of editor.specNodes()) {
    for (const [name, spec] of Object.entries(node.definition.inputs)) {
      if (spec.kind !== 'seed') continue
      const control = node.widgets?.find((w) => w.name === seedControlName(name))?.value
      const current = node.widgets?.find((w) => w.name === name)?.value
      if (typeof current !== 'number' || !SEED_CONTROLS.includes(control as SeedControl) || control === 'fixed') continue
      editor.setValue(String(node.id), name, nextSeed(current, control as SeedControl, spec.min, spec.max), false)
      changed = true
    }
  }
  // Recorded at once as one 'program' change, which leaves a saved graph unmarked (not an edit of the user's). No
  // checkpoint without a change: it would record the sizes litegraph fits nodes to on first draw as an edit.
  if (changed) editor.checkpoint()
}
