// Trunk post-build step (scripts/build/post-build.sh, after lesson-styles.mjs and csp.mjs): stamps the service worker (sw.js) with a hash of this build —
// the app shell, the lessons' wasm chunks, and the dataset and model manifests — so a new build gets fresh caches and the old ones
// are dropped when it activates, while an unchanged build keeps what the browser already has.
import { createHash } from 'node:crypto';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run this as a trunk post_build hook');
const hash = createHash('sha256');
// The lessons' wasm chunks and their loader (scripts/build/build-wasm.sh): precached by the service worker.
const chunks = (await readdir(dir))
  .filter((f) => (f.endsWith('.wasm') && f !== 'backprop-lab-app_bg.wasm') || /^__wasm_split.*\.js$/.test(f))
  .sort();
for (const f of ['index.html', 'boot.js', 'backprop-lab-app.js', 'backprop-lab-app_bg.wasm', 'app.css', 'worker.js',
  'manifest.webmanifest', 'icon.svg', ...chunks]) {
  hash.update(f).update(await readFile(join(dir, f)));
}
for (const d of await readdir(join(dir, 'static', 'data'))) {
  hash.update(d).update(await readFile(join(dir, 'static', 'data', d, 'manifest.json')).catch(() => ''));
}
for (const m of (await readdir(join(dir, 'static', 'models'))).sort()) {
  hash.update(m).update(await readFile(join(dir, 'static', 'models', m)));
}
const version = hash.digest('hex').slice(0, 16);
const sw = join(dir, 'sw.js');
const source = await readFile(sw, 'utf8');
for (const line of ["const VERSION = 'dev';", 'const CHUNKS = [];']) {
  if (!source.includes(line)) throw new Error(`sw.js: no line "${line}" to stamp`);
}
await writeFile(sw, source
  .replace("const VERSION = 'dev';", `const VERSION = '${version}';`)
  .replace('const CHUNKS = [];', `const CHUNKS = ${JSON.stringify(chunks)};`));
console.log(`service worker version ${version}, ${chunks.length} wasm chunks and their loader precached`);
