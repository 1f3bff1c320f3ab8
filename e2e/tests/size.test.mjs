// How much wasm the home page and each lesson download (`gzip -9` of each distinct file fetched by the
// page and its workers: the main module, the lesson's chunk and the shared chunks it needs), for every
// lesson the home page lists. The figures go to the book; the test fails when a page downloads more
// than the page budget, or when the home page downloads any lesson's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems, ARTIFACTS } from '../pages/base.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
/** The most wasm one page may download (gzip): the `page` line of scripts/build/wasm-budget (its `build` line,
 * the whole build, is checked by scripts/test.sh). */
const BUDGET = Number((await readFile(fileURLToPath(new URL('../../scripts/build/wasm-budget', import.meta.url)), 'utf8'))
  .match(/^page (\d+)$/m)[1]);
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Opens `query`, waits for `ready` (a data-testid), and returns the distinct wasm files fetched. */
async function wasmFetched(query, ready) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  try {
    const from = server.requested.length;
    const page = await context.newPage();
    await page.goto(`${server.url}index.html${query}`);
    // Attached is enough: a lesson's engine line may sit on a step not shown yet (Train's dashboard).
    await page.getByTestId(ready).first().waitFor({ state: 'attached', timeout: 120_000 });
    await page.waitForLoadState('networkidle');
    return [...new Set(server.requested.slice(from).filter((p) => p.endsWith('.wasm')))];
  } finally { await context.close(); }
}

/** `gzip -9` of each file, as scripts/test.sh measures the build (zlib's level 9 differs by ~1 %). */
async function gzipBytes(files) {
  let total = 0;
  for (const f of files) total += execFileSync('gzip', ['-9', '-c', join(DIST, f)], { maxBuffer: 1 << 26 }).length;
  return total;
}

test('the wasm the home page and each lesson download (gzip), within the budget', async () => {
  const rows = [];
  const homeFiles = await wasmFetched('', 'lesson-card-train');
  rows.push({ page: 'home', files: homeFiles, gzip: await gzipBytes(homeFiles) });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}index.html`);
  // Each lesson with the worker its registry row names ("none": computed on the page).
  const lessons = await page.locator('[data-testid=course-card]').evaluateAll(
    (cards) => cards.map((c) => [c.dataset.lesson, c.dataset.worker]));
  const ids = lessons.map(([id]) => id);
  await context.close();
  assert.ok(ids.length >= 4, `lessons on the home page: ${ids}`);
  for (const [id, worker] of lessons) {
    // A lesson with a worker shows its engine once the worker has started; one without is ready when
    // its step player is there and nothing more is downloading.
    const files = await wasmFetched(`?lesson=${id}&engine=cpu`, worker === 'none' ? 'lesson-step' : 'engine-kind');
    rows.push({ page: id, files, gzip: await gzipBytes(files) });
  }
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'wasm-sizes.json'), JSON.stringify(rows, null, 2));
  for (const r of rows) {
    // Brotli as `backprop-lab serve` sends it (the build's precompressed .br copies, scripts/build/precompress.mjs).
    r.brotli = 0;
    for (const f of r.files) r.brotli += (await readFile(join(DIST, `${f}.br`))).length;
    console.log(`wasm ${r.page}: ${r.gzip} bytes gzip, ${r.brotli} brotli, ${r.files.length} files (${r.files.join(', ')})`);
  }
  // The home page loads the main module only; each lesson adds its own chunk (split_<chunk>.wasm) and
  // the shared chunks it needs, never the whole build.
  assert.deepEqual(homeFiles, ['/backprop-lab-app_bg.wasm']);
  const build = (await readdir(DIST)).filter((f) => f.endsWith('.wasm'));
  for (const r of rows.slice(1)) {
    assert.ok(r.files.some((f) => /^\/split_\w+\.wasm$/.test(f)), `${r.page} loaded no lesson chunk: ${r.files}`);
    assert.ok(r.files.length < build.length, `${r.page} downloaded every wasm file of the build`);
  }
  for (const r of rows) {
    assert.ok(r.files.length > 0, `${r.page} fetched no wasm`);
    assert.ok(r.gzip <= BUDGET, `${r.page} downloads ${r.gzip} bytes of wasm (gzip), over ${BUDGET}`);
  }
  assert.deepEqual(problems(browser), []);
});
