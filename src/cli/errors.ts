// One-line error messages for the terminal; --verbose adds the stack (and causes).
import { GraphValidationError } from '../engine/index.js'

export function formatCliError(error: unknown, verbose: boolean): string {
  const message = error instanceof GraphValidationError && error.issues.length > 1
    ? `${error.issues.length} problems:\n${error.issues.map((i) => `  ${i.message}`).join('\n')}`
    : error instanceof Error
      ? error.message
      : String(error)
  const line = `hypersd: ${message.replace(/\s*\n\s*(?=\S)/g, (m) => (error instanceof GraphValidationError ? m : ' '))}`
  if (!verbose || !(error instanceof Error)) return line
  const causes: string[] = []
  let cause: unknown = error.cause
  while (cause instanceof Error) {
    causes.push(`caused by: ${cause.stack ?? cause.message}`)
    cause = cause.cause
  }
  return [line, error.stack ?? '', ...causes].join('\n')
}
