// A small argv parser: positionals, `--flag`, `--key value`, `--key=value`, and repeatable keys.

export interface ParsedArgs {
  readonly positionals: string[]
  /** Every value given for each option, in order. Flags without a value map to 'true'. */
  readonly options: Map<string, string[]>
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export function parseArgs(argv: readonly string[], flags: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = []
  const options = new Map<string, string[]>()
  const add = (key: string, value: string) => options.set(key, [...(options.get(key) ?? []), value])
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const key = arg.slice(2, eq < 0 ? undefined : eq)
    if (eq >= 0) add(key, arg.slice(eq + 1))
    else if (flags.has(key)) add(key, 'true')
    else {
      const value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${key} needs a value`)
      add(key, value)
      i++
    }
  }
  return { positionals, options }
}

export function single(args: ParsedArgs, key: string): string | undefined {
  const values = args.options.get(key)
  if (values && values.length > 1) throw new UsageError(`--${key} was given ${values.length} times`)
  return values?.[0]
}

export function many(args: ParsedArgs, key: string): string[] {
  return args.options.get(key) ?? []
}

export function rejectUnknown(args: ParsedArgs, known: readonly string[]): void {
  for (const key of args.options.keys()) {
    if (!known.includes(key)) throw new UsageError(`unknown option --${key} (known: ${known.map((k) => `--${k}`).join(', ')})`)
  }
}
