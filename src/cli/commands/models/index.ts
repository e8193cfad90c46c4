// `hypersd models list|pull|verify`: the models a graph can name, and Hugging Face downloads.
import { UsageError, type ParsedArgs } from '../../args.js'
import { listCommand } from './list.js'
import { pullCommand } from './pull.js'
import { verifyCommand } from './verify.js'

const SUBCOMMANDS: Record<string, (args: ParsedArgs) => Promise<number>> = { list: listCommand, pull: pullCommand, verify: verifyCommand }

export async function modelsCommand(args: ParsedArgs): Promise<number> {
  const [sub, ...rest] = args.positionals
  const handler = sub !== undefined && Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined
  if (!handler) throw new UsageError(`usage: hypersd models ${Object.keys(SUBCOMMANDS).join('|')} ... (got ${sub === undefined ? 'nothing' : `"${sub}"`})`)
  return handler({ positionals: rest, options: args.options })
}
