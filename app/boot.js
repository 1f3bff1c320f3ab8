// The page's loader: starts the app's main wasm module (the shell, the home page, the course pages).
// A lesson's page and engine code are wasm chunks that `__wasm_split.js` loads when the lesson opens.
import init from './backprop-lab-app.js';

await init({ module_or_path: new URL('./backprop-lab-app_bg.wasm', import.meta.url) });
