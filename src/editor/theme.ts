// Dark theme and socket colours (ComfyUI's palette), applied to litegraph's global settings once.
import { LGraphCanvas, LiteGraph } from '@comfyorg/litegraph'

/** Socket type -> colour; links and slots of that type use it. */
export const SOCKET_COLOURS: Readonly<Record<string, string>> = {
  UNET: '#b39ddb',
  CLIP: '#ffd500',
  VAE: '#ff6e6e',
  CONDITIONING: '#ffa931',
  LATENT: '#ff9cf9',
  IMAGE: '#64b5f6',
  INT: '#7fdbca',
  FLOAT: '#aed581',
  STRING: '#9e9e9e',
}

let applied = false

export function applyTheme(): void {
  if (applied) return
  applied = true
  Object.assign(LGraphCanvas.link_type_colors, SOCKET_COLOURS)
  LiteGraph.NODE_DEFAULT_COLOR = '#353535'
  LiteGraph.NODE_DEFAULT_BGCOLOR = '#232323'
  LiteGraph.NODE_TITLE_COLOR = '#d4d4d4'
  LiteGraph.NODE_TEXT_COLOR = '#cfcfcf'
  LiteGraph.WIDGET_BGCOLOR = '#1b1b1b'
  LiteGraph.WIDGET_OUTLINE_COLOR = '#444'
  LiteGraph.WIDGET_TEXT_COLOR = '#ddd'
  LiteGraph.LINK_COLOR = '#9a9'
  // The editor draws its own menus and search box (text only); litegraph's would build HTML from strings.
  LiteGraph.release_link_on_empty_shows_menu = false
  LiteGraph.middle_click_slot_add_default_node = false
}
