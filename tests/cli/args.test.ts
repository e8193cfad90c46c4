// Pins what the CLI's argv parsing means, so a change of parser cannot change a command line's meaning.
import { describe, expect, it } from 'vitest'
import { CLI_FLAGS, many, parseArgs, rejectUnknown, single, UsageError } from '../../src/cli/args.js'

const parse = (argv: string[]) => parseArgs(argv, CLI_FLAGS)
const entries = (argv: string[]) => [...parse(argv).options.entries()]

function usageError(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as UsageError).message
  }
  throw new Error('expected a UsageError')
}

describe('CLI argv parsing', () => {
  it('knows exactly these flags (options that take no value)', () => {
    expect([...CLI_FLAGS].sort()).toEqual(['all', 'api', 'comfyui', 'help', 'json', 'markdown', 'previews', 'quiet', 'verbose'])
  })

  it('collects positionals, `--key value` and `--key=value`, and repeated options in order', () => {
    const args = parse(['g.json', '--set', '4.steps=2', '--model', 'unet=a.onnx', '--set=5.seed=7', 'extra', '--out', 'o', '--set', '3.text=a = b'])
    expect(args.positionals).toEqual(['g.json', 'extra'])
    expect([...args.options.entries()]).toEqual([
      ['set', ['4.steps=2', '5.seed=7', '3.text=a = b']],
      ['model', ['unet=a.onnx']],
      ['out', ['o']],
    ])
    expect(many(args, 'set')).toEqual(['4.steps=2', '5.seed=7', '3.text=a = b'])
    expect(many(args, 'vary')).toEqual([])
    expect(single(args, 'out')).toBe('o')
    expect(single(args, 'models-dir')).toBeUndefined()
  })

  it('keeps empty and dash-leading values', () => {
    expect(entries(['--set=', '--seeds', '-1', '--vary', '-', '--timesteps', '-5,3'])).toEqual([
      ['set', ['']],
      ['seeds', ['-1']],
      ['vary', ['-']],
      ['timesteps', ['-5,3']],
    ])
  })

  it('maps flags to "true" and never lets them take the next word', () => {
    const args = parse(['--quiet', 'g.json', '--json', '--verbose', '--previews=no'])
    expect(args.positionals).toEqual(['g.json'])
    expect([...args.options.entries()]).toEqual([
      ['quiet', ['true']],
      ['json', ['true']],
      ['verbose', ['true']],
      ['previews', ['no']],
    ])
    expect(parseArgs(['--quiet', 'x'], new Set()).options.get('quiet')).toEqual(['x'])
  })

  it('treats everything after `--` as positionals', () => {
    const args = parse(['--out', 'o', '--', '--set', 'x', '--quiet', '-v'])
    expect(args.positionals).toEqual(['--set', 'x', '--quiet', '-v'])
    expect([...args.options.keys()]).toEqual(['out'])
  })

  it('keeps single-dash words as positionals (there are no short options)', () => {
    expect(parse(['-x', '-abc', '-', 'g.json', '-h']).positionals).toEqual(['-x', '-abc', '-', 'g.json', '-h'])
    expect(parse(['-x', '-abc']).options.size).toBe(0)
  })

  it('refuses an option whose value is missing, naming it', () => {
    expect(usageError(() => parse(['g.json', '--out']))).toBe('--out needs a value')
    expect(usageError(() => parse(['--out', '--quiet']))).toBe('--out needs a value')
    expect(usageError(() => parse(['--set', '--set', 'a=1']))).toBe('--set needs a value')
    expect(usageError(() => parse(['--out', '--', 'x']))).toBe('--out needs a value')
    expect(usageError(() => parse(['run', '--bogus']))).toBe('--bogus needs a value')
  })

  it('refuses a single-valued option given twice', () => {
    expect(usageError(() => single(parse(['--out', 'a', '--out=b']), 'out'))).toBe('--out was given 2 times')
  })

  it('refuses unknown options by name, listing the known ones', () => {
    const args = parse(['x.json', '--bogus', '1', '--quiet'])
    expect(args.positionals).toEqual(['x.json'])
    expect(args.options.get('bogus')).toEqual(['1'])
    expect(usageError(() => rejectUnknown(args, ['set', 'quiet']))).toBe('unknown option --bogus (known: --set, --quiet)')
    expect(() => rejectUnknown(parse(['--set', 'a=1', '--quiet']), ['set', 'quiet'])).not.toThrow()
    expect(entries(['--=x'])).toEqual([['', ['x']]])
    expect(usageError(() => rejectUnknown(parse(['--=x']), ['out']))).toBe('unknown option -- (known: --out)')
  })

  it('keeps prototype names as plain options', () => {
    const args = parse(['--__proto__', 'x', '--constructor=y'])
    expect([...args.options.entries()]).toEqual([
      ['__proto__', ['x']],
      ['constructor', ['y']],
    ])
    expect(usageError(() => rejectUnknown(args, ['out']))).toBe('unknown option --__proto__ (known: --out)')
  })
})
