// The tiny Hyper-SD 4-step graph shown on first start, bundled as text by Vite (a glob, so a missing file
// gives a clear message in the app rather than a failed build).
const files = import.meta.glob<string>('../../graphs/tiny-sd15-4step.json', { query: '?raw', import: 'default', eager: true })

export function defaultGraphText(): string | undefined {
  return Object.values(files)[0]
}
