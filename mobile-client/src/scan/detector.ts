// Finding a QR code in a camera frame: the browser's own BarcodeDetector where it reads QR codes
// (Android, iOS, ChromeOS, macOS), otherwise the same API over ZXing compiled to WebAssembly.
// Both load only when a scan starts; the WebAssembly file is served by the app itself (and kept
// by the service worker), never fetched from elsewhere, so scanning works without signal.
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

export interface QrDetector {
  detect(source: ImageBitmapSource): Promise<{ rawValue: string }[]>
}

interface NativeDetectorClass {
  new (options: { formats: string[] }): QrDetector
  getSupportedFormats(): Promise<string[]>
}

async function native(): Promise<QrDetector | null> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector
  if (!Native) return null
  try {
    const formats = await Native.getSupportedFormats()
    return formats.includes('qr_code') ? new Native({ formats: ['qr_code'] }) : null
  } catch {
    return null
  }
}

/** A detector for QR codes, native when the browser has one. */
export async function qrDetector(): Promise<QrDetector> {
  const found = await native()
  if (found) return found
  const { BarcodeDetector, setZXingModuleOverrides } = await import('barcode-detector/ponyfill')
  setZXingModuleOverrides({
    locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path),
  })
  return new BarcodeDetector({ formats: ['qr_code'] })
}
