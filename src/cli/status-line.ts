// One live progress line on stderr, drawn by cli-progress: on a terminal it is redrawn in place (throttled, cut to the
// terminal's width); elsewhere (logs, CI, tests reading stderr) every update is written as a plain line.
// cli-progress is CommonJS: Node's ESM loader offers it as a default export only.
import cliProgress from 'cli-progress'

const { Format, SingleBar } = cliProgress

export type ProgressWriter = NodeJS.WritableStream & { readonly isTTY?: boolean }

export interface StatusLine {
  show(text: string): void
  /** Leaves the last text on its own line. Must be called: on a terminal the bar redraws on a timer until then. */
  end(): void
}

/** `[######..........] value/max`, drawn by cli-progress's bar formatter. */
export function renderBar(value: number, max: number, width = 24): string {
  return `${barOnly(max > 0 ? value / max : 0, width)} ${value}/${max}`
}

/** `[######..........]` for a fraction from 0 to 1. */
export function barOnly(fraction: number, width = 24): string {
  const progress = Math.max(0, Math.min(1, fraction))
  const options = { barsize: width, barCompleteString: '#'.repeat(width), barIncompleteString: '.'.repeat(width), barGlue: '' }
  return `[${Format.BarFormat(progress, options)}]`
}

export function createStatusLine(out: ProgressWriter): StatusLine {
  if (!out.isTTY) return { show: (text) => void out.write(`${text}\n`), end: () => {} }
  let bar: InstanceType<typeof SingleBar> | undefined
  return {
    show(text) {
      if (bar) return bar.update(0, { text })
      // gracefulExit stays off: the commands handle Ctrl+C themselves (a sweep keeps the cells it finished).
      bar = new SingleBar({ stream: out, format: (_options, _params, payload: { text: string }) => payload.text, gracefulExit: false, hideCursor: false })
      bar.start(1, 0, { text })
    },
    end() {
      bar?.stop()
      bar = undefined
    },
  }
}
