import { afterEach, describe, expect, it } from 'vitest'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { GraphFileError, parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import { assertNoHostileKeys } from '../../src/graph/safe-json.js'

function polluted(): unknown {
  return ({} as Record<string, unknown>)['polluted']
}

afterEach(() => {
  // If a test ever polluted the prototype, clean up so the others still mean something.
  delete (Object.prototype as Record<string, unknown>)['polluted']
})

const node = (inputs: string): string => `{"format":"hyper-sd-studio/graph","version":1,"nodes":[
  {"id":"1","type":"Note","inputs":{"text":"a"}},
  {"id":"2","type":"Note","inputs":{"text":"b"}},
  {"id":"3","type":"Note","inputs":${inputs}}]}`

describe('hostile keys', () => {
  it.each([
    [node('{"__proto__":{"polluted":"yes"}}'), 'nodes[2].inputs.__proto__: forbidden key "__proto__"'],
    [node('{"constructor":{"prototype":{"polluted":"yes"}}}'), 'nodes[2].inputs.constructor: forbidden key "constructor"'],
    [node('{"text":{"from":["1","x"],"prototype":1}}'), 'nodes[2].inputs.text.prototype: forbidden key "prototype"'],
    ['{"__proto__":{"polluted":"yes"},"format":"hyper-sd-studio/graph"}', '__proto__: forbidden key "__proto__"'],
    ['{"format":"hyper-sd-studio/graph","version":1,"nodes":[],"layout":{"nodes":{"__proto__":{"pos":[0,0]}}}}', 'layout.nodes.__proto__: forbidden key "__proto__"'],
    ['{"format":"hyper-sd-studio/graph","version":1,"nodes":[],"metadata":{"x":[{"\\u005f_proto__":{"polluted":1}}]}}', 'metadata.x[0].__proto__'],
  ])('refuses %s', (text, message) => {
    let error: unknown
    try {
      parseGraphFile(text, 'evil.json')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(GraphFileError)
    expect((error as Error).message).toContain(`evil.json: ${message}`)
    expect(polluted()).toBeUndefined()
  })

  it('refuses hostile keys in ComfyUI workflows and prompts', () => {
    expect(() => importComfyUI('{"3":{"class_type":"KSampler","inputs":{"__proto__":{"polluted":1}}}}')).toThrow(
      '["3"].inputs.__proto__: forbidden key "__proto__"',
    )
    expect(() => importComfyUI('{"nodes":[{"id":1,"type":"Note","widgets_values":{"constructor":{"polluted":1}}}],"links":[]}')).toThrow(
      'nodes[0].widgets_values.constructor: forbidden key "constructor"',
    )
    expect(polluted()).toBeUndefined()
  })

  it('finds hostile own keys in objects built elsewhere (e.g. by JSON.parse)', () => {
    const value = JSON.parse('{"a":[1,{"b":{"__proto__":{"polluted":1}}}]}') as unknown
    expect(() => assertNoHostileKeys(value)).toThrow('a[1].b.__proto__: forbidden key "__proto__"')
    expect(() => assertNoHostileKeys({ a: [{ b: 'constructor' }] })).not.toThrow()
  })

  it('still accepts the words as values', () => {
    const graph = parseGraphFile(node('{"text":"__proto__ constructor prototype"}'))
    expect(graph.nodes[2]!.inputs['text']).toBe('__proto__ constructor prototype')
  })
})

describe('reserved words as node ids', () => {
  it('refuses ids that could not be layout keys', () => {
    expect(() => parseGraphFile('{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":"constructor","type":"Note"}]}')).toThrow(
      'nodes[0].id: node id "constructor" is reserved',
    )
  })

  it('serialises layout only for own node ids (an id like "toString" is just a name)', () => {
    const text = '{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":"toString","type":"Note"}],"layout":{"nodes":{}}}'
    const graph = parseGraphFile(text)
    expect(parseGraphFile(serializeGraphFile(graph))).toEqual(graph)
  })
})
