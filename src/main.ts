// Entry point of the editor app: Vue 3 + Pinia around the litegraph canvas.
// First, so the engine worker's script loads while the rest of the app's modules run (see early-worker.ts).
import './worker/early-worker.js'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import '@comfyorg/litegraph/style.css'
import './ui/styles.css'
import App from './ui/App.vue'

createApp(App).use(createPinia()).mount('#app')
