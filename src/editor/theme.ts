// Dark theme and socket colours (ComfyUI's palette), applied to litegraph's global settings once. Text sizes and
// colours are chosen for legibility: the fitted view never draws node text below MIN_CANVAS_TEXT_PX, and every
// text colour keeps at least 7:1 contrast (WCAG AAA) on the background it is drawn on (see tests/editor/theme.test.ts).
import { LGraphCanvas, LiteGraph } from '@comfyorg/litegraph'

/** Socket type -> colour; links and slots of that type use it. */
export const SOCKET_COLOURS: Readonly<Record<string, string>> = {
  UNET: '#b39ddb',
  CLIP: '#ffd500',
  VAE: '#ff6e6e',
  CONDITIONING: '#ffa931',
  LATENT: '#ff9cf9',
  IMAGE: '#64b5f6',
  MASK: '#81c784',
  INT: '#7fdbca',
  FLOAT: '#aed581',
  STRING: '#9e9e9e',
}

/** Canvas text sizes in graph units (CSS pixels at 100 % zoom); litegraph's are 14 and 12. */
export const CANVAS_FONT = {
  /** Node titles. */
  title: 15,
  /** Widget names and values, slot labels. */
  body: 14,
} as const

/** The smallest on-screen size (CSS pixels) of node text at the zoom Fit chooses. */
export const MIN_CANVAS_TEXT_PX = 10

/** The smallest zoom at which every node text is at least MIN_CANVAS_TEXT_PX on screen. */
export function readableMinScale(): number {
  // A hair above the exact quotient, so rounding in litegraph's fit cannot land at 9.999... px.
  return MIN_CANVAS_TEXT_PX / Math.min(CANVAS_FONT.title, CANVAS_FONT.body) + 1e-6
}

/** Text colours and the backgrounds they are drawn on. */
export const CANVAS_COLOURS = {
  titleBar: '#353535',
  nodeBody: '#232323',
  widgetBackground: '#1b1b1b',
  widgetOutline: '#4a4a4a',
  title: '#ececec',
  text: '#e2e2e2',
  widgetText: '#f0f0f0',
  /** Widget names (left of the value) and slot labels. */
  widgetLabel: '#c4c4c4',
  widgetDisabledText: '#8a8a8a',
  /** An output node's values on its output rows: a value, a pass (✓), a failure (✗). */
  outputValue: '#93c5fd',
  outputPass: '#4ade80',
  outputFail: '#fca5a5',
  link: '#9a9',
} as const

let applied = false

export function applyTheme(): void {
  if (applied) return
  applied = true
  Object.assign(LGraphCanvas.link_type_colors, SOCKET_COLOURS)
  LiteGraph.NODE_TEXT_SIZE = CANVAS_FONT.title
  LiteGraph.NODE_SUBTEXT_SIZE = CANVAS_FONT.body
  LiteGraph.NODE_DEFAULT_COLOR = CANVAS_COLOURS.titleBar
  LiteGraph.NODE_DEFAULT_BGCOLOR = CANVAS_COLOURS.nodeBody
  LiteGraph.NODE_TITLE_COLOR = CANVAS_COLOURS.title
  LiteGraph.NODE_TEXT_COLOR = CANVAS_COLOURS.text
  LiteGraph.WIDGET_BGCOLOR = CANVAS_COLOURS.widgetBackground
  LiteGraph.WIDGET_OUTLINE_COLOR = CANVAS_COLOURS.widgetOutline
  LiteGraph.WIDGET_TEXT_COLOR = CANVAS_COLOURS.widgetText
  LiteGraph.WIDGET_SECONDARY_TEXT_COLOR = CANVAS_COLOURS.widgetLabel
  LiteGraph.WIDGET_DISABLED_TEXT_COLOR = CANVAS_COLOURS.widgetDisabledText
  LiteGraph.LINK_COLOR = CANVAS_COLOURS.link
  // The editor draws its own menus and search box (text only); litegraph's would build HTML from strings.
  LiteGraph.release_link_on_empty_shows_menu = false
  LiteGraph.middle_click_slot_add_default_node = false
}
