// A lesson's engine Web Worker: loads the app's own wasm module and runs its worker entry point for the
// lesson named by the worker's name, so training never blocks the page and goes on while the tab is in
// the background. The entry point first downloads the lesson worker's own wasm chunk; messages that
// arrive meanwhile are kept and handed over. If it fails, this throws and the page hears of it
// (`onerror` on its Worker).
import init, { worker_main } from './backprop-lab-app.js';

const early = [];
self.onmessage = (event) => early.push(event.data);
await init({ module_or_path: new URL('./backprop-lab-app_bg.wasm', import.meta.url) });
await worker_main(self.name, early);
