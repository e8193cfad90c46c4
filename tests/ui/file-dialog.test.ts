// The Open command's file dialog: opened through showPicker where the browser has it, and a refusal is reported,
// never swallowed (the browser opens it only inside a user gesture).
import { describe, expect, it } from 'vitest'
import { openFileDialog } from '../../src/ui/file-dialog.js'

/** The parts of a file input the helper touches. */
function fakeInput(showPicker?: () => void): { input: HTMLInputElement; clicks: () => number } {
  let clicks = 0
  const input = { click: () => void clicks++, ...(showPicker ? { showPicker } : {}) } as unknown as HTMLInputElement
  return { input, clicks: () => clicks }
}

describe('openFileDialog', () => {
  it('opens the dialog through showPicker and reports nothing', () => {
    let shown = 0
    const reasons: string[] = []
    const { input, clicks } = fakeInput(() => void shown++)
    openFileDialog(input, (r) => reasons.push(r))
    expect([shown, clicks(), reasons.length]).toEqual([1, 0, 0])
  })

  it("reports the browser's refusal with its reason", () => {
    const reasons: string[] = []
    const { input } = fakeInput(() => {
      throw new DOMException('showPicker() requires a user gesture', 'NotAllowedError')
    })
    openFileDialog(input, (r) => reasons.push(r))
    expect(reasons).toEqual(['NotAllowedError: showPicker() requires a user gesture'])
  })

  it('falls back to a click where showPicker is missing, and does nothing without an input', () => {
    const { input, clicks } = fakeInput()
    openFileDialog(input, () => expect.fail('no refusal expected'))
    expect(clicks()).toBe(1)
    expect(() => openFileDialog(null, () => expect.fail('no refusal expected'))).not.toThrow()
  })
})
