// A build step for the generated GraphQL documents (graphql-codegen's client preset), doing
// what the preset's Babel plugin does for Babel builds: each `graphql(`…`)` call in src/ is
// replaced by the document codegen generated for it, inlined where it is used. Every screen's
// chunk then carries only its own operations, and the lookup table of all of them (src/gql/gql.ts)
// drops out of the first load. Type checks and tests keep calling `graphql()` as written.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const CALL = /\bgraphql\(\s*`([\s\S]*?)`\s*\)/g
const NAME = /^\s*(query|mutation|subscription|fragment)\s+(\w+)/m

/**
 * @param {string} gqlDir the generated folder (src/gql)
 * @returns {import('vite').Plugin}
 */
export function inlineDocuments(gqlDir) {
  /** @type {Map<string, string>} */
  let documents = new Map()
  return {
    name: 'inline-graphql-documents',
    enforce: 'pre',
    apply: 'build',
    buildStart() {
      const source = readFileSync(join(gqlDir, 'graphql.ts'), 'utf8')
      documents = new Map()
      // Keyed by what each document defines first: the operation, or the fragment itself.
      for (const m of source.matchAll(/^export const \w+ = (\{.*\}) as unknown as DocumentNode<.*$/gm)) {
        const json = /** @type {string} */ (m[1])
        const first = JSON.parse(json).definitions[0]
        documents.set(`${first.kind === 'FragmentDefinition' ? 'fragment' : 'operation'} ${first.name.value}`, json)
      }
      if (documents.size === 0) this.error(`no documents found in ${gqlDir}/graphql.ts: run npm run codegen`)
    },
    transform(code, id) {
      const file = id.split('?')[0] ?? id
      if (!/\/src\/.*\.(ts|vue)$/.test(file) || file.includes('/src/gql/') || !code.includes('graphql(`')) return null
      let changed = false
      const out = code.replace(CALL, (call, /** @type {string} */ body) => {
        const m = NAME.exec(body)
        if (!m) return call
        const key = `${m[1] === 'fragment' ? 'fragment' : 'operation'} ${m[2]}`
        const doc = documents.get(key)
        if (!doc) this.error(`${file}: no generated document ${key}: run npm run codegen`)
        changed = true
        return `(${doc})`
      })
      return changed ? { code: out, map: null } : null
    },
  }
}
