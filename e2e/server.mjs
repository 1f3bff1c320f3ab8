// A minimal static file server for dist/ on 127.0.0.1 (loopback only), with the MIME types the app
// needs (application/wasm, text/javascript for module workers). Used by the browser tests.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.gz': 'application/octet-stream',
  '.png': 'image/png', '.ttf': 'font/ttf', '.safetensors': 'application/octet-stream', '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

export async function serve(root) {
  const base = resolve(root);
  // Every path asked for, in order (the download-size test reads it).
  const requested = [];
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      requested.push(path);
      let file = normalize(join(base, path));
      if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      if (process.env.E2E_DEBUG) console.error('404', req.url);
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, requested, close: () => new Promise((ok) => server.close(ok)) };
}
