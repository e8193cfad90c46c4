// `hypersd nodes [TYPE] [--markdown | --json]`: the node reference, derived from the declarations.
import { documentNode, nodeHelpText, nodesMarkdown, NodeRegistry } from '../../engine/index.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { rejectUnknown, UsageError, type ParsedArgs } from '../args.js'

export async function nodesCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['markdown', 'json', 'verbose'])
  const registry = new NodeRegistry(nodeDefinitions)
  const [type] = args.positionals
  const defs = type ? [registry.get(type)] : registry.all()
  if (defs[0] === undefined) throw new UsageError(`unknown node type "${type}" (known: ${registry.all().map((d) => d.type).join(', ')})`)
  const list = defs.filter((d) => d !== undefined)
  if (args.options.has('markdown')) process.stdout.write(nodesMarkdown(list))
  else if (args.options.has('json')) process.stdout.write(`${JSON.stringify(list.map(documentNode), null, 2)}\n`)
  else process.stdout.write(`${list.map(nodeHelpText).join('\n\n')}\n`)
  return 0
}
