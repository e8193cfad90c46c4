// hypersd: run, validate and inspect Hyper-SD Studio graphs headless on onnxruntime-node.
import { parseArgs, UsageError } from './args.js'
import { importCommand } from './commands/import.js'
import { loraCommand } from './commands/lora.js'
import { modelsCommand } from './commands/models/index.js'
import { nodesCommand } from './commands/nodes.js'
import { runCommand } from './commands/run.js'
import { timestepsCommand } from './commands/timesteps.js'
import { validateCommand } from './commands/validate.js'
import { formatCliError } from './errors.js'

const USAGE = `usage: hypersd <command> [options]

commands:
  run <graph.json | image.png | comfyui.json> [--set NODE.INPUT=VALUE ...] [--model NAME=PATH ...] [--out DIR] [--models-dir DIR] [--previews] [--quiet]
      run a graph headless; writes PNGs (graph embedded) to DIR (default ./out)
  validate <graph> [--set ...]          print every validation error
  import <comfyui.json | image.png> [--out graph.json]
      convert a ComfyUI workflow or API prompt, or a PNG with a graph embedded, to a graph file
  nodes [TYPE] [--markdown | --json]     list node types with their inputs
  lora <file.safetensors> [--pipeline NAME] [--model NAME=PATH ...] [--all]
      which LoRA tensors match which UNet / text-encoder layers (matched, unmatched, layers patched)
  models list [--models-dir DIR] [--json]
      every model a graph can name: kind, size, source, state (ready, partial, failed)
  models pull OWNER/REPO [FILE...] [--revision R] [--subfolder S] [--models-dir DIR] [--endpoint URL] [--token T]
      download from the Hugging Face Hub into DIR/OWNER/REPO/: the ONNX pipeline files, or the named files;
      resumable (run it again), each file verified (size, sha256); --endpoint or HF_ENDPOINT picks a mirror
  models verify [OWNER/REPO ...] [--models-dir DIR]
      re-check pulled files against their download record (exit code 1 on any problem)
  timesteps --scheduler NAME --steps N [--spacing S] [--timesteps 800] [--config scheduler_config.json]
      print the schedule a preset (ddim-trailing, tcd, lcm, euler-trailing) or scheduler (ddim, tcd, lcm, euler) uses

global: --verbose adds stack traces to errors`

const FLAGS = new Set(['verbose', 'markdown', 'json', 'previews', 'quiet', 'help', 'all'])

const COMMANDS: Record<string, (args: ReturnType<typeof parseArgs>) => Promise<number>> = {
  run: runCommand,
  validate: validateCommand,
  import: importCommand,
  lora: loraCommand,
  models: modelsCommand,
  nodes: nodesCommand,
  timesteps: timestepsCommand,
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`)
    return command ? 0 : 2
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  const verbose = rest.includes('--verbose')
  try {
    if (!handler) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`)
    return await handler(parseArgs(rest, FLAGS))
  } catch (error) {
    process.stderr.write(`${formatCliError(error, verbose)}\n`)
    return error instanceof UsageError ? 2 : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
