import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'

export default defineConfig({
  // Pages are mounted in some tests: .vue files compile, and Vant's tags resolve as in the
  // build (without their styles, and without rewriting src/components.d.ts).
  plugins: [vue(), Components({ resolvers: [VantResolver({ importStyle: false })], dts: false, dirs: [] })],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
