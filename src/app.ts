// The editor app: Vue 3 + Pinia around the litegraph canvas. Loaded by main.ts once the engine worker has started.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import '@comfyorg/litegraph/style.css'
import './ui/styles.css'
import App from './ui/App.vue'

createApp(App).use(createPinia()).mount('#app')
