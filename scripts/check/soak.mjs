// Soak test: trains "Train a network" in headless Chromium for several epochs and reports, at the end of
// each epoch, the page's and the worker's wasm memory and the page's JS heap after a garbage collection.
// Memory must stay flat: the exit status is 1 if any figure at the last epoch exceeds the first epoch's
// by more than 25 % + 4 MiB. Needs dist/ (trunk build --release) and the e2e/ packages (npm ci).
//   node scripts/check/soak.mjs                      # the default recipe: 784-512-10, batch 64, 10 epochs
//   node scripts/check/soak.mjs --epochs 3 --train 5000 --hidden 64    # the short version CI runs
import { fileURLToPath } from 'node:url';
import { serve } from '../../e2e/server.mjs';
import { launch } from '../../e2e/pages/base.mjs';

const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean)
  .map((a) => a.trim().split(/\s+/)));
const epochs = Number(args.epochs ?? 10);
const train = Number(args.train ?? 60000);
const hidden = Number(args.hidden ?? 512);
const engine = args.engine ?? 'auto';
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const MIB = 1024 * 1024;

const server = await serve(DIST);
const browser = await launch();
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const query = `lesson=train&step=4&debug=1&engine=${engine}&hidden=${hidden}&train=${train}&epochs=${epochs}&batch=64`;
  await page.goto(`${server.url}index.html?${query}`);
  await page.getByTestId('engine-kind').waitFor({ timeout: 180_000 });
  const engineName = `${await page.getByTestId('engine-kind').textContent()} (${await page.getByTestId('engine-adapter').textContent()})`;
  await page.getByTestId('start').click();
  const started = Date.now();
  const rows = [];
  const measure = async (epoch) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const m = page.getByTestId('memory');
    rows.push({
      epoch,
      step: Number(await page.getByTestId('step-count').textContent()),
      seconds: Math.round((Date.now() - started) / 1000),
      pageWasmMiB: Number(await m.getAttribute('data-page')) / MIB,
      workerWasmMiB: Number(await m.getAttribute('data-worker')) / MIB,
      jsHeapMiB: heap.usedSize / MIB,
    });
    const r = rows.at(-1);
    console.log(`epoch ${r.epoch}: step ${r.step}, ${r.seconds} s; wasm page ${r.pageWasmMiB.toFixed(1)} MiB, worker ${r.workerWasmMiB.toFixed(1)} MiB; JS heap ${r.jsHeapMiB.toFixed(1)} MiB`);
  };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    // The epoch counter moves on when the next epoch begins; the last one ends with "finished".
    await page.waitForFunction((e) => {
      const done = document.querySelector('[data-testid=start]').disabled;
      const shown = Number(document.querySelector('[data-testid=epoch]')?.textContent.match(/\d+/)?.[0] ?? 0);
      return done || shown > e;
    }, epoch, { timeout: 3_600_000, polling: 250 });
    await measure(epoch);
  }
  const [first, last] = [rows[0], rows.at(-1)];
  for (const key of ['pageWasmMiB', 'workerWasmMiB', 'jsHeapMiB']) {
    if (last[key] > first[key] * 1.25 + 4) {
      failed = true;
      console.error(`${key} grew from ${first[key].toFixed(1)} to ${last[key].toFixed(1)} MiB`);
    }
  }
  console.log(JSON.stringify({ engine: engineName, query, rows }, null, 1));
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
