// Entry point of the editor app: Vue 3 + Pinia around the litegraph canvas.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import '@comfyorg/litegraph/style.css'
import './ui/styles.css'
import App from './ui/App.vue'

createApp(App).use(createPinia()).mount('#app')
