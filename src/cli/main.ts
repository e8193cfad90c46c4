// hypersd: run, validate and inspect Hyper-SD Studio graphs headless on onnxruntime-node.
import { CLI_FLAGS, parseArgs, UsageError } from './args.js'
import { formatCliError } from './errors.js'

const USAGE = `usage: hypersd <command> [options]

commands:
  run <graph.json | image.png | comfyui.json> [--set NODE.INPUT=VALUE ...] [--model NAME=PATH ...] [--out DIR] [--models-dir DIR] [--input-dir DIR] [--previews] [--quiet]
      run a graph headless; writes PNGs (graph embedded) to DIR (default ./out); Load Image's file is
      looked up in --input-dir (default: the current folder, then the bundled public/input)
  sweep <graph | grid.png | sweep.json> --vary NODE.INPUT=LIST|START:STOP:STEP|@FILE [--vary ...] [--seeds N] [--set ...] --out DIR [--model ...]
      run every combination of one or two inputs (x seeds) through one engine; writes DIR/grid.png (sweep embedded),
      sweep.csv, sweep.json, chart.svg and DIR/cells/; resumes from DIR, Ctrl+C keeps the cells done
      --queue redis://HOST:PORT: the cells run on \`hypersd worker\`s through BullMQ on Redis instead
      LIST: 1,2,4 or, for values with commas, "a red, round circle","a blue square" (CSV quoting)
  worker --queue redis://HOST:PORT [--model NAME=PATH ...] [--models-dir DIR] [--input-dir DIR] [--concurrency N] [--stalled-after S]
      run sweep cells from the queue (one per GPU); a killed worker's cell is retried by another after about S s (30)
  validate <graph> [--set ...]          print every validation error
  import <comfyui.json | image.png> [--out graph.json]
      convert a ComfyUI workflow or API prompt, or a PNG with a graph embedded, to a graph file
  export --comfyui <graph.json | image.png> [--api] [--out FILE]
      write a graph as a ComfyUI workflow (--api: an API prompt); what ComfyUI runs differently goes to stderr
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

type Command = (args: ReturnType<typeof parseArgs>) => Promise<number>

// Each command's module is imported when it runs: `hypersd timesteps` should not wait for onnxruntime, BullMQ and
// Vega to load (about 1 s of a 1.5 s start).
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./commands/run.js').then((module) => module.runCommand),
  sweep: () => import('./commands/sweep.js').then((module) => module.sweepCommand),
  worker: () => import('./commands/worker.js').then((module) => module.workerCommand),
  validate: () => import('./commands/validate.js').then((module) => module.validateCommand),
  import: () => import('./commands/import.js').then((module) => module.importCommand),
  export: () => import('./commands/export.js').then((module) => module.exportCommand),
  lora: () => import('./commands/lora.js').then((module) => module.loraCommand),
  models: () => import('./commands/models/index.js').then((module) => module.modelsCommand),
  nodes: () => import('./commands/nodes.js').then((module) => module.nodesCommand),
  timesteps: () => import('./commands/timesteps.js').then((module) => module.timestepsCommand),
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
    return await (await handler())(parseArgs(rest, CLI_FLAGS))
  } catch (error) {
    process.stderr.write(`${formatCliError(error, verbose)}\n`)
    return error instanceof UsageError ? 2 : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
