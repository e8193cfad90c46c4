// Dropping files on the app in the browser tests.
import type { Page } from 'playwright-core'

/** Drops a file on the app the way a file manager does (a DataTransfer carrying a File). */
export async function dropFile(page: Page, name: string, bytes: number[] | string, type: string): Promise<void> {
  await page.evaluate(
    ({ name, bytes, type }) => {
      const data = typeof bytes === 'string' ? bytes : new Uint8Array(bytes)
      const transfer = new DataTransfer()
      transfer.items.add(new File([data], name, { type }))
      document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    },
    { name, bytes, type },
  )
}
