// Float32 schedule values as short text: what a sampler records and what a ComfyUI import writes for custom sigmas.

/** The shortest decimal that reads back as the same float32 (the schedulers hold sigmas as float32). */
export function float32Text(x: number): string {
  for (let digits = 1; digits < 10; digits++) {
    const text = Number(x.toPrecision(digits)).toString()
    if (Math.fround(Number(text)) === Math.fround(x)) return text
  }
  return String(Math.fround(x))
}
