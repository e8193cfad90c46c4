// One read per small file for the builds that open it; large files and failed reads are never held.
import { describe, expect, it } from 'vitest'
import { SmallFileMemo } from '../../src/models/small-file-memo.js'

function counter(sizes: Record<string, number>) {
  const reads: string[] = []
  const load = (key: string) => async () => {
    reads.push(key)
    if (!(key in sizes)) throw new Error(`${key}: file not found`)
    return new Uint8Array(sizes[key]!)
  }
  return { reads, load }
}

describe('SmallFileMemo', () => {
  it('reads a small file once, for readers before and after it arrives', async () => {
    const memo = new SmallFileMemo(100)
    const { reads, load } = counter({ a: 40 })
    const [first, second] = await Promise.all([memo.read('a', load('a')), memo.read('a', load('a'))])
    const third = await memo.read('a', load('a'))
    expect(reads).toEqual(['a'])
    expect(second).toBe(first)
    expect(third).toBe(first)
    expect(memo.heldBytes).toBe(40)
  })

  it('never holds a file above the limit: each read goes to the file', async () => {
    const memo = new SmallFileMemo(100)
    const { reads, load } = counter({ big: 101 })
    await memo.read('big', load('big'))
    await memo.read('big', load('big'))
    expect(reads).toEqual(['big', 'big'])
    expect(memo.heldBytes).toBe(0)
  })

  it('drops the least recently used files to stay within the limit', async () => {
    const memo = new SmallFileMemo(100)
    const { reads, load } = counter({ a: 40, b: 40, c: 40 })
    await memo.read('a', load('a'))
    await memo.read('b', load('b'))
    await memo.read('a', load('a')) // a is now the most recent
    await memo.read('c', load('c')) // 120 bytes: b goes
    expect(memo.heldBytes).toBe(80)
    await memo.read('a', load('a'))
    await memo.read('b', load('b'))
    expect(reads).toEqual(['a', 'b', 'c', 'b'])
  })

  it('does not keep a failed read: the next reader tries again and sees the error', async () => {
    const memo = new SmallFileMemo(100)
    const sizes: Record<string, number> = {}
    const { reads, load } = counter(sizes)
    await expect(memo.read('late', load('late'))).rejects.toThrow('late: file not found')
    sizes['late'] = 10
    await expect(memo.read('late', load('late'))).resolves.toHaveLength(10)
    expect(reads).toEqual(['late', 'late'])
  })
})
