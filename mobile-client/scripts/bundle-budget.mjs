// The first-load budget of the resident home: every JavaScript chunk the browser fetches to
// show /home (the entry, its static imports, the tab layout and the home page with theirs,
// plus what the entry loads at start: the zh-CN Vant texts and the service-worker helper),
// gzipped, read from Vite's build manifest. Fails above the budget.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BUDGET_BYTES = 150 * 1024
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
/** @type {Record<string, { file: string, imports?: string[], css?: string[], isEntry?: boolean }>} */
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))

/** Manifest keys of what /home loads, besides the static imports that follow from them. */
const ROOTS = ['index.html', 'src/components/TabLayout.vue', 'src/pages/home/HomePage.vue']
/** Loaded at start through a dynamic import, when the build splits them out: the service-worker
 * helper (by the entry) and the WebSocket client (by the home's live broadcast). */
const AT_START = ['node_modules/workbox-window/build/workbox-window.prod.es5.mjs', 'src/graphql/live.ts']

const seen = new Set()
/** @param {string} key */
function visit(key) {
  if (seen.has(key)) return
  const chunk = manifest[key]
  if (!chunk) throw new Error(`not in the build manifest: ${key}`)
  seen.add(key)
  for (const dep of chunk.imports ?? []) visit(dep)
}
for (const root of ROOTS) visit(root)
for (const key of AT_START) if (manifest[key]) visit(key)

const js = new Map()
const css = new Set()
for (const key of seen) {
  const chunk = manifest[key]
  js.set(chunk.file, gzipSync(readFileSync(join(dist, chunk.file)), { level: 9 }).length)
  for (const c of chunk.css ?? []) css.add(c)
}
const cssBytes = [...css].reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0)
const total = [...js.values()].reduce((a, b) => a + b, 0)
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`

for (const [file, size] of [...js].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${kb(size).padStart(9)}  ${file}`)
console.log(`  … ${js.size} JS chunks in all`)
console.log(`resident home first load: ${kb(total)} of JavaScript gzipped (budget ${kb(BUDGET_BYTES)}); CSS ${kb(cssBytes)} gzipped`)
if (total > BUDGET_BYTES) {
  console.error(`FAIL: the resident home loads ${kb(total)} of gzipped JavaScript, over the ${kb(BUDGET_BYTES)} budget`)
  process.exit(1)
}
