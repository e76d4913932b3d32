// Typed documents for every operation in src/, generated from the API's exported SDL.
// src/gql/ is output only: never edit it by hand; `npm run codegen` rewrites it and the test
// script fails when the committed copy is stale.
import type { CodegenConfig } from '@graphql-codegen/cli'

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,vue}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: { unmaskFunctionName: 'useFragment' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          DateTime: 'string',
          Money: 'string',
          NaiveDate: 'string',
          Upload: 'File',
        },
      },
    },
  },
}

export default config
