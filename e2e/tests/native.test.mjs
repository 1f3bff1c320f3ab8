// The lessons on the native engine: `backprop-lab serve --native-engine` runs each lesson's worker (the
// same LessonWorker code) in its own process over a WebSocket on the page's origin. The page says where
// it computes and offers the browser instead; "Train a network" gives the browser CPU engine's losses
// to a measured bound (not bit for bit: the SIMD kernels differ), and runs on the native GPU engine;
// every other lesson answers a query or sends its events; the runs it keeps belong to the browser that
// made them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch, problems } from '../pages/base.mjs';
import { LessonPage } from '../pages/train.mjs';
import { OptimizersLivePage } from '../pages/optimizers.mjs';
import { BasePage } from '../pages/base.mjs';
import { PrivacyPage } from '../pages/privacy.mjs';
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
    // The badge names the native CPU engine as it names the native GPU one (C18).
    assert.equal(await native.text('engine-kind'), 'CPU (native)');
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
    // engine=gpu natively runs wgpu's own backend: the note does not say WebGPU (C18).
    const note = await gpu.text('engine-note');
    assert.match(note, /GPU engine chosen by the URL \(engine=gpu\)/, note);
    assert.doesNotMatch(note, /WebGPU/, note);
    const worst = relative(gpuLosses, nativeLosses);
    console.log(`native GPU engine (${adapter}) against the native CPU engine: ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-3, `${worst}`);
    // `backprop-lab train` with the lesson's settings and its streamed order, on the same adapter,
    // holding out what the page holds out: its validation split, the first twelfth of the images
    // (`VALIDATION_ONE_IN` in the Train lesson's setup.rs).
    const file = join(tmpdir(), `bpl-native-losses-${process.pid}.json`);
    execFileSync(BIN, ['train', '--engine', 'gpu', '--hidden', '32', '--batch-size', '32', '--lr', '0.05',
      '--momentum', '0.5', '--seed', '1', '--train-limit', '2000', '--test-limit', '500', '--epochs', '1',
      '--order', 'streamed', '--holdout-first', String(Math.floor(2000 / 12)), '--losses', file, '--data-dir', fileURLToPath(new URL('../../static/data', import.meta.url))],
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

test('the native engine\'s lines in Chinese: the badge, the adapter and the note hold no English engine words (C18, polish 2)', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&lang=zh&${SMALL}`);
  try {
    assert.equal(await lesson.engineKind(), 'CPU (native)');
    const adapter = await lesson.text('engine-adapter');
    assert.match(adapter, /CPU 引擎/, adapter);
    assert.doesNotMatch(adapter, /CPU engine|native, in|software|samples\/s/, adapter);
    const note = await lesson.text('engine-note');
    assert.match(note, /URL 参数指定了 CPU 引擎/, note);
    assert.doesNotMatch(note, /\)\s*\(|）\s*（/, `two parentheses in a row: ${note}`);
  } finally { await lesson.close(); }
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

test('saved runs belong to the browser that made them: a second browser context sees none of the first\'s, and cannot wipe them (B8)', async () => {
  const setup = 'step=1&engine=cpu&epochs=12';
  const first = await PrivacyPage.open(browser, server.url, setup);
  let second;
  try {
    await first.ready('mia-train-plain');
    await first.byId('mia-train-plain').click();
    await first.byId('mia-advantage').waitFor({ timeout: 300_000 });
    const advantage = await first.value('mia-advantage');
    // The native process kept it for this browser: a reload shows it again (so an empty second browser
    // below is not just a store that keeps nothing).
    await first.page.reload();
    await first.byId('privacy-resumed').waitFor({ timeout: 120_000 });
    assert.equal(await first.value('mia-advantage'), advantage);
    // Another tab of the same browser (same context: the same localStorage id) finds it too.
    const tab = new PrivacyPage(await first.page.context().newPage());
    await tab.page.goto(`${server.url}index.html?lesson=privacy&${setup}`);
    await tab.byId('privacy-resumed').waitFor({ timeout: 120_000 });
    await tab.page.close();

    // A second browser (a new context: its own localStorage, so its own id), while the first is open.
    second = await PrivacyPage.open(browser, server.url, setup);
    await second.ready('mia-train-plain');
    // Past the moment the first browser's reload had replayed its runs.
    await second.page.waitForTimeout(1500);
    assert.equal(await second.byId('privacy-resumed').count(), 0, 'the first browser\'s runs were offered to the second');
    assert.equal(await second.byId('mia-advantage').count(), 0, 'the first browser\'s advantage was shown in the second');
    const ids = await Promise.all([first, second].map((p) => p.page.evaluate(() => localStorage.getItem('backprop-lab-browser'))));
    assert.match(ids[0], /^[0-9a-f]{32}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual(second.consoleErrors, []);
    await second.close();
    second = undefined;

    // The second browser's visit changed nothing of the first's: still there after another reload.
    await first.page.reload();
    await first.byId('privacy-resumed').waitFor({ timeout: 120_000 });
    assert.equal(await first.value('mia-advantage'), advantage);
    // Its own "Start afresh" forgets it for good.
    await first.byId('privacy-afresh').click();
    await first.byId('privacy-resumed').waitFor({ state: 'detached' });
    await first.page.reload();
    await first.ready('mia-train-plain');
    await first.page.waitForTimeout(1500);
    assert.equal(await first.byId('privacy-resumed').count(), 0, 'forgotten for good');
    assert.deepEqual(first.consoleErrors, []);
  } finally {
    await second?.close();
    await first.close();
  }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
