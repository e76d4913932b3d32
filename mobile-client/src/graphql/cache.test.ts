import { describe, expect, it } from 'vitest'
import { Client, makeOperation, type Operation, type OperationContext, type OperationResult } from '@urql/core'
import { filter, makeSubject, pipe, publish, tap, type Source } from 'wonka'
import { afterHydration } from './cache'

const client = new Client({ url: '/graphql', exchanges: [] })
const query = (key: number): Operation =>
  makeOperation('query', { key, query: { kind: 'Document', definitions: [] }, variables: {} } as never, { url: '/graphql', requestPolicy: 'cache-first' } as OperationContext)

describe('operations wait for the cache read-back', () => {
  it('reach the network only once the cache holds what the phone kept, in the order sent', async () => {
    let hydrate = () => {}
    const hydrated = new Promise<void>((resolve) => (hydrate = resolve))
    const forwarded: number[] = []
    const exchange = afterHydration(hydrated)({
      client,
      dispatchDebug: () => {},
      // The network: notes what reached it and answers nothing.
      forward: (ops$) =>
        pipe(
          ops$,
          tap((op) => forwarded.push(op.key)),
          filter(() => false),
        ) as unknown as Source<OperationResult>,
    })
    const { source, next } = makeSubject<Operation>()
    pipe(exchange(source), publish)
    next(query(1))
    next(query(2))
    await new Promise((r) => setTimeout(r, 10))
    expect(forwarded).toEqual([])

    hydrate()
    await new Promise((r) => setTimeout(r, 0))
    expect(forwarded).toEqual([1, 2])

    next(query(3))
    await new Promise((r) => setTimeout(r, 0))
    expect(forwarded).toEqual([1, 2, 3])
  })
})
