// `npm run eval`: the shapes evaluation (scripts/eval/run.ts); options in scripts/eval/options.ts.
import { UsageError } from '../src/cli/args.js'
import { EVAL_USAGE, parseEvalArgs } from './eval/options.js'
import { runShapesEval } from './eval/run.js'

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${EVAL_USAGE}\n`)
    return 0
  }
  try {
    const outcome = await runShapesEval(parseEvalArgs(argv), (line) => process.stderr.write(`${line}\n`))
    for (const file of outcome.files) process.stdout.write(`${file}\n`)
    return 0
  } catch (error) {
    process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`)
    return error instanceof UsageError ? 2 : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
