// A popup's position kept inside the window: measured once it is in the DOM (before the first paint) and again
// whenever its size or the window's size changes.
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { placeAtPointer, type Placement } from './viewport-place.js'

export function useViewportPlacement(element: Ref<HTMLElement | null>, pointer: () => { x: number; y: number }): Ref<Placement> {
  const start = pointer()
  const placement = ref<Placement>({ left: start.x, top: start.y, maxHeight: window.innerHeight })
  const place = (): void => {
    const el = element.value
    if (!el) return
    const { x, y } = pointer()
    // The natural size: scrollHeight is the content's height whatever the current cap, plus borders and scrollbar.
    const height = el.scrollHeight + el.offsetHeight - el.clientHeight
    placement.value = placeAtPointer(x, y, { width: el.offsetWidth, height }, { width: window.innerWidth, height: window.innerHeight })
  }
  let observer: ResizeObserver | null = null
  onMounted(() => {
    place()
    observer = new ResizeObserver(place)
    if (element.value) observer.observe(element.value)
    window.addEventListener('resize', place)
  })
  onBeforeUnmount(() => {
    observer?.disconnect()
    window.removeEventListener('resize', place)
  })
  return placement
}
