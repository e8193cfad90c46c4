// The CLI's argv parsing on Node's util.parseArgs: positionals, `--flag`, `--key value`, `--key=value`, `--`, and
// repeatable keys. Commands check the options they know with rejectUnknown, so the parser accepts any long option.
import { parseArgs as parseArgv, type ParseArgsConfig } from 'node:util'

export interface ParsedArgs {
  readonly positionals: string[]
  /** Every value given for each option, in order. Flags without a value map to 'true'. */
  readonly options: Map<string, string[]>
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The options that take no value, across every command (`--verbose` is global). */
export const CLI_FLAGS: ReadonlySet<string> = new Set(['verbose', 'markdown', 'json', 'previews', 'quiet', 'help', 'all', 'comfyui', 'api'])

type OptionTypes = NonNullable<ParseArgsConfig['options']>

/** util.parseArgs needs each option's type: the names in `flags` are booleans, any other long option takes a value. */
function optionTypes(argv: readonly string[], flags: ReadonlySet<string>): OptionTypes {
  const end = argv.indexOf('--')
  const names = (end < 0 ? argv : argv.slice(0, end)).filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')[0]!)
  // fromEntries defines own properties, so a name like `__proto__` stays an option, never a prototype.
  return Object.fromEntries(names.map((name) => [name, { type: flags.has(name) ? 'boolean' : 'string', multiple: true }] as const))
}

export function parseArgs(argv: readonly string[], flags: ReadonlySet<string>): ParsedArgs {
  const { tokens } = parseArgv({ args: [...argv], options: optionTypes(argv, flags), strict: false, allowPositionals: true, tokens: true })
  const positionals: string[] = []
  const options = new Map<string, string[]>()
  const add = (key: string, value: string) => options.set(key, [...(options.get(key) ?? []), value])
  let lastShortIndex = -1
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    else if (token.kind === 'option' && !token.rawName.startsWith('--')) {
      // Single-dash words (`-x`, `-abc`) stay positionals, as they always were here: the CLI has no short options.
      if (token.index !== lastShortIndex) positionals.push(argv[token.index]!)
      lastShortIndex = token.index
    } else if (token.kind === 'option') {
      if (token.inlineValue) add(token.name, token.value ?? '')
      // `--=x` names no option; Node reads its name as "=x". Keep it an empty name with value "x", refused by rejectUnknown.
      else if (token.name.startsWith('=')) add('', token.name.slice(1))
      else if (flags.has(token.name)) add(token.name, 'true')
      // A value that is itself a long option means the value was left out (`--out --quiet`).
      else if (token.value === undefined || token.value.startsWith('--')) throw new UsageError(`--${token.name} needs a value`)
      else add(token.name, token.value)
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
