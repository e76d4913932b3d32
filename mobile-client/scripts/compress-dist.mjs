// After `vite build`: a `.gz` and a `.br` copy beside every file in dist/ that compresses, made
// with Node's own zlib at the highest levels, so the server can send them precompressed (with
// Content-Encoding) instead of compressing on every request. Files that do not get smaller
// (images already compressed, tiny files) are left alone; stale copies of a previous build go.
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

// dist/, or the directory given (the api's build writes the app it embeds elsewhere).
const dist = process.argv[2] ? resolve(process.argv[2]) : fileURLToPath(new URL('../dist', import.meta.url))
const COMPRESSED = /\.(gz|br)$/

/** @param {string} dir @returns {string[]} */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

for (const stale of files(dist).filter((f) => COMPRESSED.test(f))) unlinkSync(stale)

let raw = 0
let gz = 0
let br = 0
let count = 0
for (const file of files(dist)) {
  const body = readFileSync(file)
  const gzipped = gzipSync(body, { level: 9 })
  const brotli = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  })
  // Worth sending compressed only when it saves something.
  if (gzipped.length >= body.length) continue
  writeFileSync(`${file}.gz`, gzipped)
  if (brotli.length < body.length) writeFileSync(`${file}.br`, brotli)
  raw += body.length
  gz += gzipped.length
  br += Math.min(brotli.length, body.length)
  count += 1
  if (process.env.VERBOSE) console.log(relative(dist, file), body.length, gzipped.length, brotli.length)
}
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`
console.log(`precompressed ${count} files in ${relative(process.cwd(), dist) || '.'}: ${kb(raw)} → gzip ${kb(gz)}, brotli ${kb(br)}`)
