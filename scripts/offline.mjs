// Trunk post-build hook (after csp.mjs): stamps the service worker (sw.js) with a hash of this build —
// the app shell and the dataset and model manifests — so a new build gets fresh caches and the old ones
// are dropped when it activates, while an unchanged build keeps what the browser already has.
import { createHash } from 'node:crypto';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run this as a trunk post_build hook');
const hash = createHash('sha256');
for (const f of ['index.html', 'backprop-lab-app.js', 'backprop-lab-app_bg.wasm', 'app.css', 'worker.js',
  'manifest.webmanifest', 'icon.svg']) {
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
if (!source.includes("const VERSION = 'dev';")) throw new Error('sw.js: no VERSION line to stamp');
await writeFile(sw, source.replace("const VERSION = 'dev';", `const VERSION = '${version}';`));
console.log(`service worker version ${version}`);
