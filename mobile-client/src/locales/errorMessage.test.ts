import { describe, expect, it } from 'vitest'
import { CombinedError } from '@urql/core'
import { GraphQLError } from 'graphql'
import { errorMessage } from '.'

const api = (code: string, extra: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [new GraphQLError('amount: must look like 1234.50', { extensions: { code, ...extra } })] })

describe('error words', () => {
  it('name the field of bad input in the app’s language', () => {
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'amount' }))).toBe('「金额」填写有误，请检查后重试')
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'endsOn' }))).toBe('「结束日期」填写有误，请检查后重试')
  })

  it('fall back to the code’s words for a field without a name, or no field', () => {
    expect(errorMessage(api('BAD_USER_INPUT', { field: 'somethingNew' }))).toBe('填写的内容有误，请检查')
    expect(errorMessage(api('BAD_USER_INPUT'))).toBe('填写的内容有误，请检查')
    expect(errorMessage(api('FORBIDDEN', { field: 'amount' }))).toBe('没有权限执行此操作')
  })
})
