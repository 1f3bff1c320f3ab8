// Backprop Lab's service worker: after one visit the app loads and trains with the network off.
// - The app shell (page, module, every lesson's chunk, styles, worker loader) is precached at install and answered
//   network-first, so a new build is picked up whenever the server can be reached.
// - Datasets and models (static/data, static/models) pass through: the lessons' workers keep what they
//   download in Cache Storage themselves and use it when the network fails (app/src/worker/mod.rs), so
//   the first visit's downloads are kept even when they began before this worker took control.
// VERSION is a hash of the build written by scripts/build/offline.mjs (a trunk post-build hook): a new build
// gets new caches and the old ones are deleted when it activates.
const VERSION = 'dev';
// Every lesson's wasm chunks and their loader (scripts/build/build-wasm.sh), listed by scripts/build/offline.mjs: all
// precached, so a lesson never opened online still opens offline.
const CHUNKS = [];
const SHELL = ['./', 'index.html', 'boot.js', 'backprop-lab-app.js', 'backprop-lab-app_bg.wasm', 'app.css',
  'worker.js', 'manifest.webmanifest', 'icon.svg', ...CHUNKS];
const SHELL_CACHE = `backprop-lab-shell-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('backprop-lab-shell-') && key !== SHELL_CACHE) await caches.delete(key);
    }
    // Control the page of this first visit too.
    await self.clients.claim();
  })());
});

/** The network's answer (cached for later), or the cached copy when the network fails. */
async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) {
      // A page is stored without its query: every lesson's URL is the same document.
      const key = request.mode === 'navigate' ? new URL(request.url).pathname : request;
      await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const hit = await cache.match(request, { ignoreSearch: true })
      ?? (request.mode === 'navigate' ? await cache.match('index.html') : undefined);
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (/\/static\/(data|models)\//.test(url.pathname)) return;
  event.respondWith(networkFirst(request, SHELL_CACHE));
});
