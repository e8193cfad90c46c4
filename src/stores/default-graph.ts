// The graph shown on first start: the bundled shapes model (trained in training/) with its 4-step TSCD LoRA, bundled
// as text by Vite (a glob, so a missing file gives a clear message in the app rather than a failed build).
const files = import.meta.glob<string>('../../graphs/shapes-4step.json', { query: '?raw', import: 'default', eager: true })

export function defaultGraphText(): string | undefined {
  return Object.values(files)[0]
}
