// The graphs the Hyper-SD presets open, bundled as text (a preset opens its graph without a network request).
const files = import.meta.glob<string>('../../graphs/hyper-*.json', { query: '?raw', import: 'default', eager: true })

export function presetGraphText(file: string): string | undefined {
  return files[`../../graphs/${file}`]
}
