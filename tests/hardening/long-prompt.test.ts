// Issue 14 §9 long prompt: a 1 MB one-word prompt passed validate, then the text encoder died with "Maximum call
// stack size exceeded" (a long word's tokens spread into push()). The prompt is now capped in CLIPTextEncode's
// declaration, so validation names the node and input, and the tokenizer no longer spreads.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { PROMPT_MAX_CHARACTERS } from '../../nodes/text.js'
import { NodeRegistry, validateGraph, type ExecGraph } from '../../src/engine/index.js'
import { clipTokenizerFromFiles, tokenizeForModel } from '../../src/text/index.js'
import { ROOT, runCli } from '../cli/run-cli.js'
import { readClipFiles } from '../text/load-files.js'

const template = JSON.parse(readFileSync(join(ROOT, 'graphs', 'hyper-sd15-1step.json'), 'utf8')) as {
  nodes: { id: string; type: string; inputs: Record<string, unknown> }[]
}

function withPrompt(text: string): string {
  return JSON.stringify({ ...template, nodes: template.nodes.map((n) => (n.type === 'CLIPTextEncode' ? { ...n, inputs: { ...n.inputs, text } } : n)) })
}

describe('long prompts (issue 14 §9)', () => {
  it('hypersd validate refuses a 1 MB one-word prompt, naming the node and input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-prompt-'))
    writeFileSync(join(dir, 'long.json'), withPrompt('a'.repeat(1024 * 1024)))
    const result = runCli(['validate', join(dir, 'long.json')])
    expect(result.stderr).not.toMatch(/call stack/)
    const prompt = template.nodes.find((n) => n.type === 'CLIPTextEncode')!
    expect(result.stdout).toContain(`node ${prompt.id} (CLIPTextEncode), input "text": text is 1048576 characters long; at most ${PROMPT_MAX_CHARACTERS} are accepted`)
    expect(result.code).toBe(1)
  })

  it('accepts a prompt at the cap and refuses one character more', () => {
    const registry = new NodeRegistry(nodeDefinitions)
    const graph = (text: string): ExecGraph => ({
      nodes: [
        { id: 'p', type: 'CLIPTextEncode', inputs: { clip: { from: ['l', 'clip'] }, text } },
        { id: 'l', type: 'LoadPipeline', inputs: { model: 'x' } },
      ],
    })
    expect(validateGraph(graph('x'.repeat(PROMPT_MAX_CHARACTERS)), registry)).toEqual([])
    expect(validateGraph(graph('x'.repeat(PROMPT_MAX_CHARACTERS + 1)), registry).map((i) => [i.code, i.nodeId, i.input])).toEqual([['out-of-range', 'p', 'text']])
  })

  it('the tokenizer encodes a word of 400,000 tokens without overflowing the stack', () => {
    const { vocabJson, mergesTxt } = readClipFiles()
    const tokenizer = clipTokenizerFromFiles(vocabJson, mergesTxt)
    const word = '¤'.repeat(200_000) // two UTF-8 bytes each, and no merge joins them
    expect(tokenizer.encodeBody(word)).toHaveLength(400_000)
    const input = tokenizeForModel(tokenizer, word, { padId: 49407 })
    expect(input.tokenCount).toBe(400_000)
    expect(input.dropped).toBe(400_000 - 75)
    expect(tokenizer.encode('a photo')).toEqual([tokenizer.bosId, ...tokenizer.encodeBody('a photo'), tokenizer.eosId])
  })
})
