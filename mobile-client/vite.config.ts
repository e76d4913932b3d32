// Vite: Vue + Vant (through its resolver) + the installable PWA. `npm run dev` proxies the
// API so the phone client talks to a locally running `api` on port 8000.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'
import { inlineDocuments } from './scripts/inline-documents.mjs'

const apiTarget = process.env.API_URL ?? 'http://localhost:8000'

export default defineConfig({
  plugins: [
    inlineDocuments(fileURLToPath(new URL('./src/gql', import.meta.url))),
    vue(),
    Components({
      resolvers: [VantResolver()],
      // The API's build runs this too (PHONE_APP_EMBED); writing the declarations there would
      // touch src/ and make cargo rebuild the binary on every following invocation.
      dts: process.env.PHONE_APP_EMBED ? false : 'src/components.d.ts',
      dirs: [],
    }),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: '洞头慈善共富',
        short_name: '慈善共富',
        description: '洞头区慈善共富积分、捐赠与兑换',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f7f8fa',
        theme_color: '#d4380d',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell: every built asset is precached, so the app opens without signal.
        // The QR decoder's WebAssembly too: residents check in by scanning without signal.
        globPatterns: ['**/*.{js,css,html,svg,png,woff2,wasm}'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        navigateFallback: '/index.html',
        // The API's own addresses are never answered with the app shell.
        navigateFallbackDenylist: [/^\/graphql/, /^\/feed/, /^\/exports/, /^\/healthz/, /^\/readyz/, /^\/metrics/],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // vue-i18n's build flags: the Composition API only (no legacy API, no global components),
  // without devtools hooks: less JavaScript on the first load.
  define: {
    __VUE_I18N_LEGACY_API__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    manifest: true,
    target: 'es2020',
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/graphql': { target: apiTarget, changeOrigin: true },
    },
  },
})
