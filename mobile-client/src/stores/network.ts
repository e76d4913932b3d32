// Whether the phone has signal, as the browser reports it; drives the offline banner.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export const useNetworkStore = defineStore('network', () => {
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)

  function update() {
    online.value = navigator.onLine
  }

  if (typeof window !== 'undefined') {
    window.addEventListener('online', update)
    window.addEventListener('offline', update)
  }

  return { online, update }
})
