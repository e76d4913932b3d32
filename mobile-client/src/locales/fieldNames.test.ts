import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Client, makeOperation, makeResult, type Operation, type OperationContext, type OperationResult } from '@urql/core'
import { buildSchema, isInputObjectType, isObjectType } from 'graphql'
import { makeSubject, map, pipe, subscribe, type Source } from 'wonka'
import { fieldLabel, fieldNamesExchange } from './fieldNames'
import zhCN from './fields/zh-CN'
import en from './fields/en'

const client = new Client({ url: '/graphql', exchanges: [] })
const operation = (key: number): Operation =>
  makeOperation('mutation', { key, query: { kind: 'Document', definitions: [] }, variables: {} } as never, { url: '/graphql', requestPolicy: 'network-only' } as OperationContext)

describe('an error naming a field', () => {
  it('reaches the page with its words loaded, and answers keep their order', async () => {
    // The network answers operation 1 with a field error and operation 2 with data.
    const answer = (op: Operation): OperationResult =>
      op.key === 1
        ? makeResult(op, { errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', field: 'amount' } }] })
        : makeResult(op, { data: { ok: true } })
    const exchange = fieldNamesExchange(() => 'en')({
      client,
      dispatchDebug: () => {},
      forward: (ops$) => pipe(ops$, map(answer)) as Source<OperationResult>,
    })
    const { source, next } = makeSubject<Operation>()
    const seen: Array<{ key: number; label: string | null }> = []
    pipe(
      exchange(source),
      subscribe((result) => seen.push({ key: result.operation.key, label: fieldLabel('en', 'amount', ' or ') })),
    )
    expect(fieldLabel('en', 'amount', ' or ')).toBeNull()
    next(operation(1))
    next(operation(2))
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toEqual([
      { key: 1, label: 'Amount' },
      { key: 2, label: 'Amount' },
    ])
  })
})

/** Every name the API may put in `extensions.field`: the schema's input fields and arguments,
 *  and the names its own checks give (`bad_field("…")`), plus the query limits' `query`. */
function namesTheApiGives(): Set<string> {
  const root = join(__dirname, '../../..')
  const schema = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'))
  const names = new Set<string>(['query'])
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue
    if (isInputObjectType(type)) Object.keys(type.getFields()).forEach((name) => names.add(name))
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) field.args.forEach((arg) => names.add(arg.name))
    }
  }
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry)
      return statSync(path).isDirectory() ? walk(path) : path.endsWith('.rs') ? [path] : []
    })
  for (const file of walk(join(root, 'api/src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/bad_field\(\s*"(\w+)"/g)) names.add(match[1] ?? '')
  }
  return names
}

describe('field words', () => {
  it('cover every field the API can name, in Chinese and in English', () => {
    const names = [...namesTheApiGives()]
    expect(names.length).toBeGreaterThan(100)
    expect(names.filter((name) => !Object.hasOwn(zhCN, name))).toEqual([])
    expect(names.filter((name) => !Object.hasOwn(en, name))).toEqual([])
  })
})
