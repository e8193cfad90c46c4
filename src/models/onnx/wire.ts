// A cursor over protobuf wire-format bytes, for the readers that skip what they do not need (scan.ts) and the
// decoder that builds whole models without protobufjs (decode.ts). Every length is checked against its message's end.

export const VARINT = 0
export const FIXED64 = 1
export const LEN = 2
export const FIXED32 = 5

const utf8 = new TextDecoder()

/** A cursor over one message's bytes [pos, end). */
export class Wire {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    /** Shared by every cursor over the same bytes, made on the first fixed-width read. */
    private view?: DataView,
  ) {}

  get done(): boolean {
    return this.pos >= this.end
  }

  /** A varint as a bigint (int64 fields, whose negatives take ten bytes; uint64 ones read as unsigned). */
  bigVarint(unsigned = false): bigint {
    let value = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Error(`protobuf varint runs past the end at byte ${this.pos}`)
      const byte = this.bytes[this.pos++]!
      value |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) return unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value)
    }
    throw new Error(`protobuf varint longer than ten bytes at byte ${this.pos}`)
  }

  varint(): number {
    // Seven bytes (49 bits) are exact in a double; longer ones (negative int64s, huge values) go through bigVarint.
    const start = this.pos
    let value = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new Error(`protobuf varint runs past the end at byte ${this.pos}`)
      const byte = this.bytes[this.pos++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 128
    }
    this.pos = start
    return Number(this.bigVarint())
  }

  /** An int32 field: the low 32 bits of its varint, as protoc and protobufjs read it. */
  int32(): number {
    return this.varint() | 0
  }

  /** The next field's number and wire type. */
  tag(): [number, number] {
    const tag = this.varint()
    return [Math.floor(tag / 8), tag & 7]
  }

  /** A little-endian float (4 bytes) or double (8). */
  fixedFloat(bytes: 4 | 8): number {
    const at = this.fixed(bytes)
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
    return bytes === 4 ? this.view.getFloat32(at, true) : this.view.getFloat64(at, true)
  }

  /** Moves past a fixed-width field, returning where it starts. */
  private fixed(bytes: 4 | 8): number {
    const at = this.pos
    if (at + bytes > this.end) throw new Error(`protobuf fixed-width field runs past the end at byte ${this.end}`)
    this.pos = at + bytes
    return at
  }

  /** The bounds of a length-delimited payload, moving past it. */
  span(): [number, number] {
    const length = this.varint()
    const start = this.pos
    if (length < 0 || start + length > this.end) throw new Error(`protobuf field of ${length} bytes at byte ${start} runs past the end`)
    this.pos = start + length
    return [start, start + length]
  }

  nested(): Wire {
    const [start, end] = this.span()
    return new Wire(this.bytes, start, end, this.view)
  }

  /** A bytes field, as a view into the input (no copy). */
  bytesView(): Uint8Array {
    const [start, end] = this.span()
    return this.bytes.subarray(start, end)
  }

  text(): string {
    const [start, end] = this.span()
    return utf8.decode(this.bytes.subarray(start, end))
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint()
    else if (wireType === LEN) this.span()
    else if (wireType === FIXED64 || wireType === FIXED32) this.fixed(wireType === FIXED64 ? 8 : 4)
    else throw new Error(`protobuf wire type ${wireType} (not used by ONNX) at byte ${this.pos}`)
  }
}

