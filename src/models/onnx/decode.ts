// ONNX bytes -> plain message objects, read straight from the protobuf wire format by the field table in
// onnx-messages.ts. The objects are what protobufjs gave before (codec.ts converted its messages the same way):
// every repeated field an array, singular fields only when present, int64s as numbers (bigints where a payload
// needs all 64 bits), bytes as views into the input. Reading in one pass, with no Long objects and no generated code
// to compile, takes a third of the time on a warm core and much less on the cold first image's worker.
import { ONNX_MESSAGES, type FieldDef, type MessageName } from './onnx-messages.js'
import { FIXED32, FIXED64, LEN, VARINT, Wire } from './wire.js'

type Plain = Record<string, unknown>

/** int64 fields kept as bigint (payload values); every other int64 becomes a number. */
const BIGINT_FIELDS = new Set(['TensorProto.int64Data', 'TensorProto.uint64Data', 'AttributeProto.i', 'AttributeProto.ints'])

type Scalar = 'int32' | 'int64' | 'uint64' | 'float' | 'double' | 'string' | 'bytes'

interface FieldPlan {
  readonly name: string
  /** Where it goes in the message: fields keep onnx-messages.ts's order, as protobufjs's did. */
  readonly slot: number
  readonly repeated: boolean
  readonly scalar?: Scalar
  readonly message?: MessagePlan
  readonly bigint: boolean
  /** For errors: "TensorProto.dims". */
  readonly path: string
}

interface MessagePlan {
  readonly fields: FieldPlan[]
  /** Field number -> field. */
  readonly byNumber: Map<number, FieldPlan>
}

const SCALARS = new Set<string>(['int32', 'int64', 'uint64', 'float', 'double', 'string', 'bytes'])
/** Wire type of each scalar when it is not packed. */
const WIRE_TYPE: Record<Scalar, number> = { int32: VARINT, int64: VARINT, uint64: VARINT, float: FIXED32, double: FIXED64, string: LEN, bytes: LEN }

const plans = new Map<string, MessagePlan>()

function planOf(name: string): MessagePlan {
  const known = plans.get(name)
  if (known) return known
  const fields = ONNX_MESSAGES[name]
  if (!fields) throw new Error(`no ONNX message ${name}`)
  const plan: MessagePlan = { fields: [], byNumber: new Map() }
  plans.set(name, plan) // before the fields: messages nest themselves (GraphProto in AttributeProto in GraphProto)
  Object.entries(fields).forEach(([fieldName, def]: [string, FieldDef], slot) => {
    const path = `${name}.${fieldName}`
    const field: FieldPlan = {
      name: fieldName,
      slot,
      repeated: def.rule === 'repeated',
      bigint: BIGINT_FIELDS.has(path),
      path,
      ...(SCALARS.has(def.type) ? { scalar: def.type as Scalar } : { message: planOf(def.type) }),
    }
    plan.fields.push(field)
    plan.byNumber.set(def.id, field)
  })
  return plan
}

function int64(wire: Wire, field: FieldPlan): number | bigint {
  if (field.bigint) return wire.bigVarint(field.scalar === 'uint64')
  const start = wire.pos
  const value = wire.varint()
  if (Number.isSafeInteger(value)) return value
  wire.pos = start
  throw new Error(`${field.path} value ${wire.bigVarint(field.scalar === 'uint64')} is out of range`)
}

function readScalar(wire: Wire, field: FieldPlan, scalar: Scalar): unknown {
  switch (scalar) {
    case 'int32':
      return wire.int32()
    case 'int64':
    case 'uint64':
      return int64(wire, field)
    case 'float':
      return wire.fixedFloat(4)
    case 'double':
      return wire.fixedFloat(8)
    case 'string':
      return wire.text()
    case 'bytes':
      return wire.bytesView()
  }
}

function readValue(wire: Wire, field: FieldPlan, wireType: number): unknown {
  const expected = field.message ? LEN : WIRE_TYPE[field.scalar!]
  if (wireType !== expected) throw new Error(`${field.path} has wire type ${wireType}, expected ${expected} (corrupt data)`)
  return field.message ? decodeMessageAt(wire.nested(), field.message) : readScalar(wire, field, field.scalar!)
}

function decodeMessageAt(wire: Wire, plan: MessagePlan): Plain {
  const values: unknown[] = new Array<unknown>(plan.fields.length)
  for (const field of plan.fields) if (field.repeated) values[field.slot] = []
  while (!wire.done) {
    const tag = wire.varint()
    const wireType = tag & 7
    const field = plan.byNumber.get(Math.floor(tag / 8))
    if (!field) {
      wire.skip(wireType) // a field outside the subset this project reads
      continue
    }
    if (!field.repeated) {
      values[field.slot] = readValue(wire, field, wireType) // a repeated singular field: the last one counts
      continue
    }
    const list = values[field.slot] as unknown[]
    const scalar = field.scalar
    // Repeated numbers come packed or not, whatever onnx.proto declares: readers accept both.
    if (wireType === LEN && scalar !== undefined && scalar !== 'string' && scalar !== 'bytes') {
      const packed = wire.nested()
      while (!packed.done) list.push(readScalar(packed, field, scalar))
    } else list.push(readValue(wire, field, wireType))
  }
  const out: Plain = {}
  for (const field of plan.fields) if (values[field.slot] !== undefined) out[field.name] = values[field.slot]
  return out
}

/** One message of the ONNX subset, decoded from its bytes. Throws on malformed wire data. */
export function decodeMessage(name: MessageName, bytes: Uint8Array): Plain {
  // One DataView for the whole input, shared by every nested message's cursor (floats, doubles).
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return decodeMessageAt(new Wire(bytes, 0, bytes.byteLength, view), planOf(name))
}
