// GPT-2 / CLIP byte-level mapping: every UTF-8 byte becomes one printable unicode character, so BPE never
// sees spaces or control bytes (transformers' bytes_to_unicode()).

function buildByteToChar(): string[] {
  const printable: number[] = []
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b)
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b)
  for (let b = 0xae; b <= 0xff; b++) printable.push(b)
  const table: string[] = new Array<string>(256)
  for (const b of printable) table[b] = String.fromCodePoint(b)
  let next = 0
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCodePoint(256 + next++)
  }
  return table
}

const BYTE_TO_CHAR = buildByteToChar()
const utf8 = new TextEncoder()

/** The byte-level string for `text`: one character per UTF-8 byte. */
export function toByteLevel(text: string): string {
  let out = ''
  for (const b of utf8.encode(text)) out += BYTE_TO_CHAR[b]!
  return out
}
