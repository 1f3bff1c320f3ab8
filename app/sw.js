// Backprop Lab's service worker: after one visit the app loads and trains with the network off.
// - The app shell (page, module, styles, worker loader) is precached at install and answered
//   network-first, so a new build is picked up whenever the server can be reached.
// - Datasets and models (static/data, static/models) are cached as they are first used and answered
//   from the cache; their manifests are network-first (they name the chunks).
// VERSION is a hash of the build written by scripts/offline.mjs (a trunk post-build hook): a new build
// gets new caches and the old ones are deleted when it activates.
const VERSION = 'dev';
const SHELL = ['./', 'index.html', 'backprop-lab-app.js', 'backprop-lab-app_bg.wasm', 'app.css', 'worker.js',
  'manifest.webmanifest', 'icon.svg'];
const SHELL_CACHE = `backprop-lab-shell-${VERSION}`;
const DATA_CACHE = `backprop-lab-data-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('backprop-lab-') && key !== SHELL_CACHE && key !== DATA_CACHE) await caches.delete(key);
    }
    // Control the page (and its lesson workers) of this first visit too, so its data gets cached.
    await self.clients.claim();
  })());
});

/** The cached copy (a page's query string does not matter), or the network's answer, cached. */
async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

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
  const data = /\/static\/(data|models)\//.test(url.pathname);
  if (data && !url.pathname.endsWith('/manifest.json')) {
    event.respondWith(cacheFirst(request, DATA_CACHE));
  } else {
    event.respondWith(networkFirst(request, data ? DATA_CACHE : SHELL_CACHE));
  }
});
