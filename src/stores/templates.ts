// The shipped graphs as templates: every graphs/*.json is bundled as text by Vite (a template opens without a
// network request), with its committed thumbnail from graphs/thumbnails/ (NAME.png rendered by the graph itself,
// NAME.placeholder.png when its model is not bundled). What each says about itself comes from template-info.ts.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { parseGraphFile } from '../graph/parse.js'
import { describeTemplate, groupTemplates, type TemplateInfo } from '../ui/templates/template-info.js'
import { nodeDefinitions } from '../../nodes/index.js'

const graphTexts = import.meta.glob<string>('../../graphs/*.json', { query: '?raw', import: 'default', eager: true })
const thumbnailUrls = import.meta.glob<string>('../../graphs/thumbnails/*.png', { query: '?url', import: 'default', eager: true })

export interface Template extends TemplateInfo {
  readonly text: string
  /** URL of the committed thumbnail, or null when the build has none for this graph. */
  readonly thumbnail: string | null
  /** The thumbnail is the drawn "model must be downloaded" tile, not an image the graph made. */
  readonly placeholder: boolean
  /** Why the file could not be read as a graph (it is listed, and refuses to open with this reason). */
  readonly error: string | null
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1)

function thumbnailOf(file: string): { thumbnail: string | null; placeholder: boolean } {
  const stem = file.replace(/\.json$/, '')
  const rendered = thumbnailUrls[`../../graphs/thumbnails/${stem}.png`]
  if (rendered) return { thumbnail: rendered, placeholder: false }
  const placeholder = thumbnailUrls[`../../graphs/thumbnails/${stem}.placeholder.png`]
  return { thumbnail: placeholder ?? null, placeholder: placeholder !== undefined }
}

function loadTemplates(): Template[] {
  const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
  return Object.entries(graphTexts)
    .map(([path, text]): Template => {
      const file = baseName(path)
      try {
        const info = describeTemplate(file, parseGraphFile(text, file), (type) => definitions.get(type))
        return { ...info, ...thumbnailOf(file), text, error: null }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return { file, name: file, description: '', model: 'unreadable', settings: { loraScales: [] }, models: [], text, ...thumbnailOf(file), error: message }
      }
    })
    // Templates that run here first; those needing a download after them.
    .sort((a, b) => Number(a.placeholder) - Number(b.placeholder) || a.file.localeCompare(b.file))
}

export const useTemplates = defineStore('templates', () => {
  // Read when first asked for (the browser opens, a template is opened), not with the app: parsing and validating
  // the 28 shipped graphs took about 0.1 s of the main thread's start on 2 cores, in front of the editor.
  const all = computed(loadTemplates)
  const open = ref(false)
  const filter = ref('')

  const shown = computed(() => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean)
    if (words.length === 0) return all.value
    return all.value.filter((t) => {
      const haystack = `${t.name} ${t.file} ${t.model} ${t.description} ${t.settings.scheduler ?? ''}`.toLowerCase()
      return words.every((w) => haystack.includes(w))
    })
  })
  const groups = computed(() => groupTemplates(shown.value))

  function byFile(file: string): Template | undefined {
    return all.value.find((t) => t.file === file)
  }

  return { all, open, filter, groups, byFile }
})
