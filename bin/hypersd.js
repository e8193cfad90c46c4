#!/usr/bin/env node
// Thin launcher: loads the TypeScript CLI through tsx's loader in this process (no build step, no child process,
// so Ctrl+C and the exit code reach the CLI directly).
import { register } from 'tsx/esm/api'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

register()
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href)
