import { describe, expect, it } from 'vitest'
import { CombinedError } from '@urql/core'
import { GraphQLError } from 'graphql'
import { errorMessage } from '.'
import { loadFieldNames } from './fieldNames'

const api = (code: string, extra: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [new GraphQLError('amount: must look like 1234.50', { extensions: { code, ...extra } })] })

describe('error words', () => {
  // Runs first: the field words are not in the app until an error asks for them.
  it('say the code’s words while the field words have not been fetched', () => {
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'amount' }))).toBe('填写的内容有误，请检查')
  })

  it('name the field of bad input in the app’s language', async () => {
    await loadFieldNames('zh-CN')
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'amount' }))).toBe('「金额」填写有误，请检查后重试')
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'endsOn' }))).toBe('「结束日期」填写有误，请检查后重试')
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'startsOn or endsOn' }))).toBe('「开始日期」或「结束日期」填写有误，请检查后重试')
  })

  it('fall back to the code’s words for a field without a name, or no field', async () => {
    await loadFieldNames('zh-CN')
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'somethingNew' }))).toBe('填写的内容有误，请检查')
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'amount or somethingNew' }))).toBe('填写的内容有误，请检查')
    expect(errorMessage(api('BAD_USER_INPUT'))).toBe('填写的内容有误，请检查')
    expect(errorMessage(api('FORBIDDEN', { field: 'amount' }))).toBe('没有权限执行此操作')
    // Inherited object keys are not field words.
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'constructor' }))).toBe('填写的内容有误，请检查')
  })
})
