// Which values may flow along a link: socket types must match; a primitive output may feed a widget.
import { isSocket, widgetValueType, type AnyNodeDefinition, type InputSpec } from './spec.js'

export const ANY_TYPE = '*'

/** The type an input accepts over a link. */
export function acceptedType(spec: InputSpec): string {
  return isSocket(spec) ? spec.type : widgetValueType(spec)
}

export function typesCompatible(outputType: string, inputType: string): boolean {
  return outputType === inputType || outputType === ANY_TYPE || inputType === ANY_TYPE
}

export type LinkCheck = { ok: true } | { ok: false; reason: string }

/** Checks one prospective link for type compatibility; the editor calls this while the user drags. */
export function checkLinkTypes(from: AnyNodeDefinition, output: string, to: AnyNodeDefinition, input: string): LinkCheck {
  const out = Object.hasOwn(from.outputs, output) ? from.outputs[output] : undefined
  if (!out) return { ok: false, reason: `${from.type} has no output "${output}"` }
  const spec = Object.hasOwn(to.inputs, input) ? to.inputs[input] : undefined
  if (!spec) return { ok: false, reason: `${to.type} has no input "${input}"` }
  const accepted = acceptedType(spec)
  if (!typesCompatible(out.type, accepted)) {
    return { ok: false, reason: `${from.type}.${output} gives ${out.type} but ${to.type}.${input} takes ${accepted}` }
  }
  return { ok: true }
}
