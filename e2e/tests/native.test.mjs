// The lessons on the native engine: `backprop-lab serve --native-engine` runs each lesson's worker (the
// same LessonWorker code) in its own process over a WebSocket on the page's origin. The page says where
// it computes and offers the browser instead; "Train a network" gives the browser CPU engine's losses
// to a measured bound (not bit for bit: the SIMD kernels differ), and runs on the native GPU engine;
// every other lesson answers a query or sends its events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch, problems } from '../pages/base.mjs';
import { LessonPage } from '../pages/train.mjs';
import { OptimizersLivePage } from '../pages/optimizers.mjs';
import { BasePage } from '../pages/base.mjs';
import { serveNative, BIN } from '../native.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SMALL = 'hidden=32&train=2000&test=500&batch=32&epochs=3&eval=60&lr=0.05';
let server, browser;

before(async () => { server = await serveNative(DIST); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

/** The losses of the first `n` steps, one Step click each. */
async function losses(lesson, n) {
  await lesson.engineKind();
  await lesson.waitForData();
  const out = [];
  for (let i = 0; i < n; i++) { await lesson.step(); out.push(await lesson.lossValue()); }
  return out;
}

test('"Train a network" on the native engine: the page says so, and its first 50 losses match the browser CPU engine\'s within 1e-5, and it runs on the native GPU', async () => {
  const native = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL}`);
  let nativeLosses, nativeAdapter;
  try {
    assert.match(await native.text('native-engine'), /compute in the backprop-lab program on this machine/);
    nativeLosses = await losses(native, 50);
    nativeAdapter = await native.text('engine-adapter');
    await native.screenshot('native-01-train');
    assert.deepEqual(native.consoleErrors, []);
  } finally { await native.close(); }
  // The same page in the browser (native=0, the link the page offers).
  const inBrowser = await LessonPage.open(browser, server.url, `?engine=cpu&native=0&${SMALL}`);
  try {
    assert.equal(await inBrowser.byId('native-engine').count(), 0);
    const browserLosses = await losses(inBrowser, 50);
    const browserAdapter = await inBrowser.text('engine-adapter');
    // The native CPU engine runs on every core here; the browser's in one Web Worker thread.
    assert.notEqual(nativeAdapter, browserAdapter, `${nativeAdapter} / ${browserAdapter}`);
    // Not bit for bit: matrixmultiply's kernels differ between x86-64 (AVX2 and FMA, 2 threads) and
    // wasm (SIMD128, no FMA), so the products round differently; the bound is measured, with room.
    const worst = relative(nativeLosses, browserLosses);
    console.log(`native CPU engine against the browser's: largest relative difference in 50 losses ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-5, `${worst}`);
  } finally { await inBrowser.close(); }
  // The native GPU engine (lavapipe here, a real GPU's Vulkan, Metal or DX12 elsewhere).
  const gpu = await LessonPage.open(browser, server.url, `?engine=gpu&${SMALL}`);
  try {
    const gpuLosses = await losses(gpu, 50);
    const adapter = await gpu.text('engine-adapter');
    // A native adapter (lavapipe's llvmpipe here), never the browser's SwiftShader.
    assert.doesNotMatch(adapter, /swiftshader/i, adapter);
    assert.equal(await gpu.text('engine-kind'), 'GPU (native)');
    const worst = relative(gpuLosses, nativeLosses);
    console.log(`native GPU engine (${adapter}) against the native CPU engine: ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-3, `${worst}`);
    // `backprop-lab train` with the lesson's settings and its streamed order, on the same adapter.
    const file = join(tmpdir(), `bpl-native-losses-${process.pid}.json`);
    execFileSync(BIN, ['train', '--engine', 'gpu', '--hidden', '32', '--batch-size', '32', '--lr', '0.05',
      '--momentum', '0.5', '--seed', '1', '--train-limit', '2000', '--test-limit', '500', '--epochs', '1',
      '--order', 'streamed', '--losses', file, '--data-dir', fileURLToPath(new URL('../../static/data', import.meta.url))],
    { env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' }, stdio: 'ignore' });
    const cli = JSON.parse(readFileSync(file, 'utf8')).slice(0, 50);
    // Both sides print the shortest decimal of an f32: equal as f32 means equal to the bit.
    const same = cli.filter((x, i) => Math.fround(x) === Math.fround(Number(gpuLosses[i]))).length;
    const cliWorst = relative(gpuLosses, cli);
    console.log(`the page's native GPU losses against backprop-lab train on the same adapter: ${same} of 50 equal to the bit, largest relative difference ${cliWorst.toExponential(2)}`);
    assert.ok(cliWorst < 1e-5, `${cliWorst}`);
    await gpu.screenshot('native-02-train-gpu');
  } finally { await gpu.close(); }
});

/** The largest |a − b| / |b| over two lists of losses (as the page prints them). */
function relative(a, b) {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((x, i) => Math.abs(Number(x) - Number(b[i])) / Math.abs(Number(b[i]))));
}

test('every other lesson on the native engine: a query answered or events received, the adapter named', async () => {
  // The optimisers lesson: a query (the gradients) and the race's events.
  const opt = await OptimizersLivePage.open(browser, server.url, 'step=1');
  try {
    const g = await opt.gradNoise();
    assert.ok(g[512].cosine > g[1].cosine);
    assert.match(await opt.text('engine-adapter'), /native, in backprop-lab/);
  } finally { await opt.close(); }
  // The others: the engine event names the native adapter; the live model answers a query (the
  // engine's loss of one image).
  for (const [lesson, setup] of [['finetune', ''], ['cross-entropy', 'step=4&image=5'], ['interpret', ''], ['privacy', '']]) {
    const p = await BasePage.openLesson(BasePage, lesson, browser, server.url, setup);
    try {
      await p.page.waitForFunction(() => /native, in backprop-lab/.test(document.body.textContent), null, { timeout: 120_000 });
      if (lesson === 'cross-entropy') {
        await p.page.waitForFunction(() => Number(document.querySelector('[data-testid=ce-engine-loss]')?.dataset.value) > 0, null, { timeout: 120_000 });
      }
      assert.equal(await p.byId('errors').count() ? (await p.text('errors')) : '', '', `${lesson}: no error`);
      assert.deepEqual(p.consoleErrors, [], lesson);
    } finally { await p.close(); }
  }
});

test('a NaN loss on the native engine arrives as NaN: the page says the loss became NaN and rolls back, as in the browser', async () => {
  for (const setup of ['engine=cpu', 'engine=cpu&native=0']) {
    // Long enough that the native CPU engine (over a thousand steps a second here) is still training
    // when the NaN goes in.
    const lesson = await LessonPage.open(browser, server.url, `?${setup}&debug=1&hidden=512&train=5000&test=500&batch=32&epochs=100&eval=60&lr=0.05`);
    try {
      await lesson.engineKind();
      await lesson.start();
      // An evaluation has run, so a good snapshot exists to roll back to.
      await lesson.waitForAccuracyAbove(30, 120_000);
      await lesson.byId('debug-poison').click();
      const banner = lesson.byId('diverged');
      await banner.waitFor({ timeout: 120_000 });
      // JSON has no NaN: the native side writes a stand-in the page turns back into the number.
      assert.equal(await banner.getAttribute('data-loss'), 'NaN', setup);
      assert.match(await banner.textContent(), /the loss became NaN, not a number/);
      const step = Number(await banner.getAttribute('data-step'));
      const back = Number(await banner.getAttribute('data-rolled-back-to'));
      assert.ok(back > 0 && back < step, `${setup}: rolled back from ${step} to ${back}`);
      // Nothing was unreadable, and the restored model measures as before.
      assert.equal(await lesson.byId('errors').locator('p:not([data-testid=diverged])').count(), 0, setup);
      await lesson.waitForAccuracyAbove(30, 60_000);
      if (!setup.includes('native=0')) await lesson.screenshot('native-03-nan');
      assert.deepEqual(lesson.consoleErrors, [], setup);
    } finally { await lesson.close(); }
  }
});

test('speed of the seed MLP (784-512-10, batch 64) in the page: the native engine against the browser\'s, one run (printed, not asserted)', async () => {
  const figures = {};
  for (const [name, setup] of [['native GPU', 'engine=gpu'], ['native CPU', 'engine=cpu'], ['browser WebGPU', 'engine=gpu&native=0'], ['browser CPU', 'engine=cpu&native=0']]) {
    const lesson = await LessonPage.open(browser, server.url, `?${setup}&hidden=512&batch=64&train=5000&test=500&epochs=5&eval=10000`);
    try {
      figures[name] = { kind: await lesson.engineKind(), adapter: await lesson.text('engine-adapter') };
      await lesson.start();
      await lesson.page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) > 20, null, { timeout: 120_000 });
      await lesson.page.waitForTimeout(5000);
      figures[name].samplesPerSecond = parseFloat(await lesson.text('speed'));
      assert.ok(figures[name].samplesPerSecond > 0);
    } finally { await lesson.close(); }
  }
  console.log(`speed of the seed MLP in the page: ${JSON.stringify(figures)}`);
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
