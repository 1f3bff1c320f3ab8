// End-to-end tests of the built app (dist/) in Debian's Chromium with WebGPU (SwiftShader when headless).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { LessonPage } from '../pages/train.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
// Small enough for a software GPU (~0.3 GFLOP/s), large enough to learn something.
const SMALL = 'hidden=32&train=2000&test=500&batch=32&epochs=3&eval=60&lr=0.05';
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('loads without console errors and trains on WebGPU', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=gpu&${SMALL}`);
  try {
    assert.equal(await lesson.engineKind(), 'WebGPU', `fell back: ${await lesson.text('engine-note')}`);
    assert.notEqual(await lesson.text('engine-adapter'), '');
    await lesson.waitForData();
    // The engine details: dispatches per step and the kernel chosen per matrix product on this device.
    await lesson.page.waitForSelector('[data-testid=engine-kernels]', { state: 'attached', timeout: 60_000 });
    const kernels = await lesson.page.$$eval('[data-testid=gemm-choice]', (els) => els.map((e) => [e.dataset.kernel, e.textContent]));
    // Six, and one more for each product the tuner chose to split over K (a second dispatch each).
    const splits = kernels.filter(([kernel]) => kernel === 'gemm_registers+split_reduce').length;
    assert.equal(await lesson.byId('engine-kernels').getAttribute('data-dispatches'), String(6 + splits));
    // fc1 forward, fc1 and fc2 weight gradients: the fused head does fc2's forward and input gradient.
    assert.equal(kernels.length, 3, JSON.stringify(kernels));
    for (const [kernel, line] of kernels) {
      assert.ok(['gemm', 'gemm_registers', 'gemm_wide', 'gemm_registers+split_reduce'].includes(kernel), line);
      assert.match(line, /^fc[12] (forward|weight gradient) \d+×\d+×\d+: /, line);
    }
    await lesson.screenshot('01-loaded-webgpu');
    await lesson.start();
    await lesson.waitForAccuracyAbove(60);
    const gap = await lesson.maxFrameGap();
    await lesson.screenshot('02-training-webgpu');
    const trend = await lesson.lossTrend();
    assert.ok(trend.recent < trend.first * 0.8, `loss should fall: ${JSON.stringify(trend)}`);
    assert.ok(gap < 200, `the page stalled for ${gap.toFixed(0)} ms during training`);
    // The page fits its 1366-px window (a form hint once widened the controls' label column), the
    // loss chart says which line is which, and the accuracy axis starts near its data, not at 0 %.
    assert.ok(await lesson.page.evaluate(() => document.documentElement.scrollWidth) <= 1366);
    assert.match(await lesson.text('loss-legend'), /smoothed/);
    const lowest = await lesson.page.$eval('[data-testid=accuracy-plot] text.tick', (t) => t.textContent);
    assert.notEqual(lowest, '0%', 'the accuracy axis is zoomed to its data');
    assert.equal(await lesson.errors(), '');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('pause, single step and reset behave; the same seed reproduces the first losses exactly', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=gpu&${SMALL}`);
  try {
    await lesson.engineKind();
    await lesson.step();
    const firstRun = [await lesson.lossValue()];
    await lesson.step();
    firstRun.push(await lesson.lossValue());
    await lesson.step();
    firstRun.push(await lesson.lossValue());
    assert.equal(await lesson.stepCount(), 3);
    await lesson.screenshot('03-after-three-steps');
    await lesson.start();
    await lesson.page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) > 10);
    await lesson.pause();
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=start]').textContent.trim() === 'Resume');
    const paused = await lesson.stepCount();
    await lesson.page.waitForTimeout(800);
    assert.equal(await lesson.stepCount(), paused, 'no steps while paused');
    await lesson.step();
    assert.equal(await lesson.stepCount(), paused + 1);
    await lesson.reset();
    const secondRun = [];
    for (let i = 0; i < 3; i++) { await lesson.step(); secondRun.push(await lesson.lossValue()); }
    assert.deepEqual(secondRun, firstRun, 'reset with the same seed must reproduce the losses exactly');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('a run stepped to its last step is finished at once: Finished, Step disabled, the final model measured on validation and, once, on the test set', async () => {
  // Two steps in all (64 images less the 5 validation images, batches of 32, one epoch); the last one is a
  // step, not an evaluation point.
  const lesson = await LessonPage.open(browser, server.url, '?engine=cpu&hidden=16&train=64&test=200&batch=32&epochs=1&eval=60');
  try {
    await lesson.engineKind();
    await lesson.step();
    assert.equal(await lesson.byId('step').isDisabled(), false);
    assert.equal(await lesson.byId('test-accuracy-final').count(), 0, 'no test figure while the run goes on');
    await lesson.step();
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=start]').textContent.trim() === 'Finished', null, { timeout: 30_000 });
    assert.equal(await lesson.stepCount(), 2);
    assert.equal(await lesson.byId('step').isDisabled(), true, 'nothing left to step');
    // The dashboard's figure is the validation set's: the first 64 / 12 = 5 training images.
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=val-accuracy]').textContent.includes('%'), null, { timeout: 30_000 });
    assert.equal(await lesson.value('validation-split'), '5');
    const val = Number(await lesson.value('val-accuracy'));
    assert.ok(val >= 0 && val <= 1 && Math.abs(val * 5 - Math.round(val * 5)) < 1e-6, `a fraction of 5 images: ${val}`);
    // The test set, once, at the end: its own element, labelled as measured once.
    const test = lesson.byId('test-accuracy-final');
    await test.waitFor({ timeout: 30_000 });
    assert.equal(await test.count(), 1);
    assert.equal(await test.getAttribute('data-images'), '200');
    assert.equal(await test.getAttribute('data-step'), '2');
    const accuracy = Number(await test.getAttribute('data-value'));
    assert.ok(accuracy >= 0 && accuracy <= 1, `test accuracy ${accuracy}`);
    assert.match(await test.textContent(), /measured once/);
    // A new run forgets it.
    await lesson.reset();
    assert.equal(await lesson.byId('test-accuracy-final').count(), 0);
    assert.equal(await lesson.errors(), '');
  } finally { await lesson.close(); }
});

test('drawing on the canvas yields a prediction', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=gpu&${SMALL}`);
  try {
    await lesson.engineKind();
    await lesson.waitForData();
    await lesson.drawDigitOne();
    await lesson.page.waitForFunction(() => /The model says \d/.test(document.querySelector('[data-testid=prediction]').textContent), null, { timeout: 60_000 });
    const bars = await lesson.page.locator('[data-testid^=prob-] .pct').allTextContents();
    const total = bars.map(parseFloat).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 100) < 1.5, `probabilities should sum to 100 %, got ${total}`);
    await lesson.screenshot('04-drawing');
  } finally { await lesson.close(); }
});

test('the CPU engine (engine=cpu) also trains, and the confusion matrix opens its cells', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL}`);
  try {
    assert.equal(await lesson.engineKind(), 'CPU');
    await lesson.start();
    await lesson.waitForAccuracyAbove(60, 120_000);
    await lesson.byId('cell-1-1').click();
    await lesson.page.waitForFunction(() => /validation images of 1 predicted as 1/.test(document.querySelector('[data-testid=cell-caption]').textContent));
    await lesson.screenshot('05-cpu-engine-confusion');
    // One tab stop for the matrix; the arrow keys move inside it and Enter opens a cell.
    assert.equal(await lesson.page.$$eval('table.confusion button[tabindex="0"]', (b) => b.length), 1);
    await lesson.page.keyboard.press('ArrowRight');
    await lesson.page.keyboard.press('ArrowDown');
    assert.equal(await lesson.page.evaluate(() => document.activeElement?.dataset.testid), 'cell-2-2');
    await lesson.page.keyboard.press('Enter');
    await lesson.page.waitForFunction(() => /validation images of 2 predicted as 2/.test(document.querySelector('[data-testid=cell-caption]').textContent));
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('on a software WebGPU adapter, auto mode measures both engines and shows both figures', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?${SMALL}`);
  try {
    const kind = await lesson.engineKind();
    let note = await lesson.text('engine-note');
    if (/software/.test(note)) {
      // The lesson starts on the CPU engine at once; both engines are measured in the background.
      await lesson.page.waitForFunction(() => document.querySelectorAll('[data-testid=engine-measurements] .measure').length === 2, null, { timeout: 120_000 });
      note = await lesson.text('engine-note');
      assert.match(note, /both engines were measured/, note);
      const figures = await lesson.page.locator('[data-testid=engine-measurements] .measure').allTextContents();
      assert.equal(figures.length, 2, note);
      assert.ok(figures.every((f) => /\d+ samples\/s/.test(f)), figures.join(' | '));
    } else {
      assert.equal(kind, 'WebGPU', note);
    }
    await lesson.screenshot('06-auto-engine');
  } finally { await lesson.close(); }
});

test('the update rule on screen follows the running optimiser; a new optimiser applies on Reset; momentum is disabled where it means nothing; each optimiser starts at its usual rate', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL}`);
  try {
    await lesson.engineKind();
    const rule = lesson.byId('train-update-rule');
    assert.equal(await rule.getAttribute('data-optimizer'), 'momentum');
    assert.match(await rule.textContent(), /v ← μ·v \+ g/);
    await lesson.byId('optimizer').selectOption('adam');
    // The form's choice is pending: the run keeps training with momentum until Reset.
    await lesson.byId('optimizer-pending').waitFor();
    assert.match(await lesson.text('optimizer-pending'), /applies on Reset — this run uses SGD \+ momentum/);
    assert.equal(await rule.getAttribute('data-optimizer'), 'momentum');
    assert.equal(await lesson.byId('momentum').isDisabled(), false, 'the running momentum run still uses momentum');
    await lesson.reset();
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=train-update-rule]').dataset.optimizer === 'adam');
    assert.equal(await lesson.byId('optimizer-pending').count(), 0);
    assert.match(await rule.textContent(), /m̂\/\(√v̂ \+ ε\)/);
    assert.equal(await lesson.byId('momentum').isDisabled(), true, 'Adam has no momentum field');
    await lesson.byId('momentum-not-applicable').waitFor();
    await lesson.byId('optimizer').selectOption('sgd');
    await lesson.byId('optimizer-pending').waitFor();
    await lesson.reset();
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=train-update-rule]').dataset.optimizer === 'sgd');
    assert.match(await rule.textContent(), /w ← w − lr·g/);
    assert.doesNotMatch(await rule.textContent(), /μ/);
    assert.equal(await lesson.byId('momentum').isDisabled(), true, 'plain SGD has no momentum');
    assert.equal(await lesson.byId('lr').inputValue(), '0.05', 'a rate set by hand is kept across optimisers');
  } finally { await lesson.close(); }
});

test('the lesson speaks English and Chinese (?lang=zh and the header toggle)', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&lang=zh&${SMALL}`);
  try {
    await lesson.engineKind();
    assert.equal(await lesson.text('start'), '开始');
    // The worker's note is translated too (a code, not English text).
    assert.match(await lesson.text('engine-note'), /URL 参数指定了 CPU 引擎/);
    assert.equal(await lesson.page.getAttribute('html', 'lang'), 'zh-CN');
    await lesson.screenshot('07-chinese');
    await lesson.byId('lang').click();
    assert.equal(await lesson.text('start'), 'Start');
    assert.equal(await lesson.page.getAttribute('html', 'lang'), 'en');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('a learning rate of 10 mid-run: training pauses, says where it diverged, and rolls back to the last good snapshot', async () => {
  // Enough epochs that training is still running when the rate changes.
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL.replace('epochs=3', 'epochs=30')}`);
  try {
    await lesson.engineKind();
    await lesson.start();
    await lesson.waitForAccuracyAbove(60, 120_000);
    await lesson.byId('lr').fill('10');
    await lesson.byId('lr').dispatchEvent('change');
    const banner = lesson.byId('diverged');
    await banner.waitFor({ timeout: 120_000 });
    const step = Number(await banner.getAttribute('data-step'));
    const back = Number(await banner.getAttribute('data-rolled-back-to'));
    assert.equal(await banner.getAttribute('data-lr'), '10');
    assert.ok(back > 0 && back < step, `rolled back from ${step} to ${back}`);
    assert.match(await banner.textContent(), new RegExp(`step ${step} with learning rate 10: the loss exploded.*rolled back to step ${back}`));
    assert.ok(Number(await banner.getAttribute('data-loss')) > 46, 'above 20 · ln 10');
    // Paused at the snapshot, and it stays there.
    assert.equal(await lesson.stepCount(), back);
    await lesson.page.waitForTimeout(1500);
    assert.equal(await lesson.stepCount(), back);
    // The accuracy on screen is the restored model's, measured again after the rollback.
    await lesson.waitForAccuracyAbove(60, 60_000);
    await lesson.screenshot('08-diverged');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('a flaky network: a failed manifest request and a broken chunk download are retried, and the data loads', async () => {
  const failures = [];
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL}`, async (context) => {
    const failOnce = async (pattern, fail) => {
      let failed = false;
      await context.route(pattern, async (route) => {
        if (failed) return route.continue();
        failed = true;
        failures.push(route.request().url());
        await fail(route);
      });
    };
    await failOnce('**/static/data/mnist/manifest.json', (r) => r.fulfill({ status: 503, body: 'busy' }));
    await failOnce('**/static/data/mnist/train-00.bpl.gz', (r) => r.abort('connectionreset'));
  });
  try {
    await lesson.waitForData();
    assert.equal(failures.length, 2, `both requests failed once: ${failures.join(', ')}`);
    await lesson.start();
    await lesson.waitForAccuracyAbove(50, 120_000);
    assert.equal(await lesson.errors(), '');
  } finally { await lesson.close(); }
});

test('three data chunks arriving slowly give the same first epoch as an instant download (same seed)', async () => {
  // 15,000 samples = three chunks of 5,000; the first epoch is all of them but the validation set's first
  // 1,250 (15,000 / 12), not just what had arrived.
  const query = '?engine=cpu&hidden=32&train=15000&test=500&batch=64&epochs=1&eval=100&lr=0.05';
  const firstEpoch = async (prepare) => {
    const lesson = await LessonPage.open(browser, server.url, query, prepare);
    try {
      await lesson.engineKind();
      await lesson.start();
      await lesson.page.waitForFunction(() => document.querySelector('[data-testid=start]').disabled, null, { timeout: 180_000 });
      await lesson.page.waitForFunction(() => document.querySelector('[data-testid=val-accuracy]').dataset.value !== '');
      await lesson.byId('test-accuracy-final').waitFor({ timeout: 60_000 });
      const loss = lesson.byId('loss');
      const accuracy = lesson.byId('val-accuracy');
      const test = lesson.byId('test-accuracy-final');
      return {
        steps: await lesson.stepCount(),
        last: await loss.getAttribute('data-value'),
        first10: await loss.getAttribute('data-first'),
        last10: await loss.getAttribute('data-recent'),
        valAccuracy: await accuracy.getAttribute('data-value'),
        valLoss: await accuracy.getAttribute('data-loss'),
        testAccuracy: await test.getAttribute('data-value'),
        testLoss: await test.getAttribute('data-loss'),
      };
    } finally { await lesson.close(); }
  };
  const instant = await firstEpoch();
  const delayed = [];
  const slow = await firstEpoch(async (context) => {
    await context.route(/train-0[12]\.bpl\.gz$/, async (route) => {
      delayed.push(route.request().url());
      await new Promise((r) => setTimeout(r, 2500));
      await route.continue();
    });
  });
  assert.equal(delayed.length, 2, 'chunks 1 and 2 were held back');
  assert.equal(instant.steps, Math.ceil((15000 - 1250) / 64));
  assert.deepEqual(slow, instant);
});

test('a reload: the saved run is offered, resumed, and its next losses are bit for bit those of the run without the reload', async () => {
  // 100 epochs (6,300 steps): the run cannot end before the pause lands, however fast the machine.
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL.replace('epochs=3', 'epochs=100')}`);
  try {
    await lesson.engineKind();
    await lesson.start();
    await lesson.page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) > 130, null, { timeout: 120_000 });
    await lesson.pause();
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=start]').textContent.trim() === 'Resume');
    const paused = await lesson.stepCount();
    const trend = await lesson.lossTrend();
    // The pause saved the run; these steps are the uninterrupted run's next ones.
    const uninterrupted = [];
    for (let i = 0; i < 3; i++) { await lesson.step(); uninterrupted.push(await lesson.lossValue()); }
    await lesson.page.reload();
    await lesson.byId('resume-offer').waitFor({ timeout: 120_000 });
    assert.equal(Number(await lesson.byId('resume-offer').getAttribute('data-step')), paused);
    assert.equal(await lesson.stepCount(), 0, 'nothing resumes before the student says so');
    await lesson.byId('resume-run').click();
    await lesson.page.waitForFunction((n) => Number(document.querySelector('[data-testid=step-count]').textContent) === n, paused, { timeout: 60_000 });
    assert.equal(await lesson.byId('resume-offer').count(), 0);
    assert.equal((await lesson.lossTrend()).first, trend.first, 'the loss curve came back');
    const resumed = [];
    for (let i = 0; i < 3; i++) { await lesson.step(); resumed.push(await lesson.lossValue()); }
    assert.deepEqual(resumed, uninterrupted);
    await lesson.screenshot('10-resumed');
    // Reloaded mid-run: the last evaluation's checkpoint (every 60 steps) is offered.
    await lesson.start();
    await lesson.page.waitForFunction((n) => Number(document.querySelector('[data-testid=step-count]').textContent) > n + 70, paused, { timeout: 120_000 });
    await lesson.page.reload();
    await lesson.byId('resume-offer').waitFor({ timeout: 120_000 });
    const saved = Number(await lesson.byId('resume-offer').getAttribute('data-step'));
    assert.ok(saved > paused && saved % 60 === 0, `saved at an evaluation: ${saved}`);
    await lesson.byId('resume-run').click();
    await lesson.page.waitForFunction((n) => Number(document.querySelector('[data-testid=step-count]').textContent) === n, saved, { timeout: 60_000 });
    await lesson.waitForAccuracyAbove(50, 60_000);
    // Cleared: the next reload offers nothing.
    await lesson.byId('clear-saved').click();
    await lesson.byId('cleared').waitFor();
    await lesson.page.reload();
    await lesson.engineKind();
    await lesson.page.waitForTimeout(2000);
    assert.equal(await lesson.byId('resume-offer').count(), 0);
    assert.equal(await lesson.errors(), '');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('a trained model downloaded, the run reset, the file loaded back: the same accuracy', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL}`);
  try {
    await lesson.engineKind();
    await lesson.start();
    // The run ends with an evaluation of the final model.
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=start]').disabled, null, { timeout: 180_000 });
    await lesson.page.waitForTimeout(500);
    const trained = await lesson.accuracy();
    assert.ok(trained > 60, `trained: ${trained}`);
    const [download] = await Promise.all([lesson.page.waitForEvent('download'), lesson.byId('export-model').click()]);
    assert.equal(download.suggestedFilename(), 'mlp-784-32-10.safetensors');
    const file = await download.path();
    await lesson.reset();
    await lesson.byId('import-model').setInputFiles(file);
    await lesson.page.waitForFunction((a) => parseFloat(document.querySelector('[data-testid=val-accuracy]').textContent) === a, trained, { timeout: 60_000 });
    assert.equal(await lesson.stepCount(), 0);
    // A file that is not a model: a message, and the loaded model stays.
    await lesson.byId('import-model').setInputFiles({ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
    await lesson.page.waitForFunction(() => /model file cannot be used/.test(document.querySelector('[data-testid=errors]').textContent));
    assert.equal(await lesson.accuracy(), trained);
  } finally { await lesson.close(); }
});

test('the GPU device lost mid-run (the ?debug=1 control): training goes on from the last snapshot', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=gpu&debug=1&${SMALL.replace('epochs=3', 'epochs=30')}`);
  try {
    assert.equal(await lesson.engineKind(), 'WebGPU');
    await lesson.start();
    // Past the first evaluation (step 60): a snapshot exists.
    await lesson.page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) > 70, null, { timeout: 180_000 });
    const before = await lesson.stepCount();
    await lesson.byId('debug-lose-device').click();
    await lesson.page.waitForFunction(() => /device was lost/.test(document.querySelector('[data-testid=engine-note]').textContent), null, { timeout: 60_000 });
    const note = await lesson.text('engine-note');
    assert.match(note, /from the snapshot at step \d+/, note);
    await lesson.page.waitForFunction((n) => Number(document.querySelector('[data-testid=step-count]').textContent) > n + 40, before, { timeout: 180_000 });
    const loss = Number(await lesson.lossValue());
    assert.ok(Number.isFinite(loss) && loss < 2, `the loss continues from where it was: ${loss}`);
    assert.equal(await lesson.errors(), '');
    await lesson.screenshot('09-device-lost');
  } finally { await lesson.close(); }
});

test('the lesson in steps: a digit before and after Normalize, the parameters as PyTorch counts them, the article\'s loop beside its kernels, and questions graded by the run', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?step=1&engine=cpu&${SMALL}`);
  try {
    await lesson.byId('train-data-label').waitFor({ timeout: 120_000 });
    assert.ok(!(await lesson.byId('start').isVisible()), 'the dashboard waits for its step');
    // Background 0 → (0 − 0.1307)/0.3081; full ink 255 → (1 − 0.1307)/0.3081.
    const range = lesson.byId('train-data-range');
    assert.ok(Math.abs(Number(await range.getAttribute('data-lo')) - (0 - 0.1307) / 0.3081) < 1e-4);
    const example = lesson.byId('train-data-example');
    const p = Number(await example.getAttribute('data-pixel'));
    assert.ok(Math.abs(Number(await example.getAttribute('data-x')) - (p / 255 - 0.1307) / 0.3081) < 1e-4);
    await lesson.byId('train-data-next').click();
    await lesson.page.waitForFunction(() => /#1 /.test(document.querySelector('[data-testid=train-data] figcaption')?.textContent ?? ''));
    await lesson.byId('lesson-next').click();
    // hidden=32: 784·32 + 32 + 32·10 + 10 (the seed's 784 → 512 → 10 has 407,050; a unit test checks it).
    assert.equal(await lesson.value('train-model-parameters'), String(784 * 32 + 32 + 32 * 10 + 10));
    assert.equal(await lesson.text('train-model-widths'), '784 → 32 → 10');
    await lesson.byId('lesson-next').click();
    for (const phase of ['data', 'zero_grad', 'forward', 'loss', 'backward', 'step']) {
      assert.equal(await lesson.byId(`train-code-line-${phase}`).count(), 1, phase);
    }
    assert.match(await lesson.text('train-code-line-backward'), /loss\.backward\(\).*weight gradient/s);
    // Next line: each line lights once the worker reports its part ran, one at a time, in the loop's order.
    await lesson.page.waitForFunction(() => !document.querySelector('[data-testid=train-code-walk]').disabled
      && document.querySelector('[data-testid=step-count]')?.textContent.trim() === '0', null, { timeout: 120_000 });
    const lit = () => lesson.page.$$eval('[data-testid^=train-code-line-][data-active=true]', (els) => els.map((e) => e.dataset.testid.replace('train-code-line-', '')));
    assert.deepEqual(await lit(), []);
    const order = ['data', 'zero_grad', 'forward', 'loss', 'backward', 'step'];
    for (const phase of order) {
      await lesson.byId('train-code-walk').click();
      await lesson.page.waitForSelector(`[data-testid=train-code-line-${phase}][data-active=true]`, { timeout: 60_000 });
      assert.deepEqual(await lit(), [phase]);
      assert.match(await lesson.text('train-code-status'), /^Step 1: /);
      if (phase === 'data') assert.match(await lesson.text('train-code-status'), /a batch of 32: labels/);
      if (phase !== 'step') assert.equal(await lesson.text('step-count'), '0', `${phase}: the step is not counted before optimizer.step()`);
    }
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=step-count]').textContent.trim() === '1');
    await lesson.page.waitForFunction(() => /this step's loss \d/.test(document.querySelector('[data-testid=train-code-status]').textContent));
    await lesson.screenshot('05-loop-walked');
    // Two lines into step 2, then Train's Step: the walked step completes first, then one more.
    for (const phase of order.slice(0, 2)) {
      await lesson.byId('train-code-walk').click();
      await lesson.page.waitForSelector(`[data-testid=train-code-line-${phase}][data-active=true]`, { timeout: 60_000 });
    }
    await lesson.byId('lesson-next').click();
    assert.ok(await lesson.byId('start').isVisible());
    await lesson.byId('step').click();
    await lesson.page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]')?.textContent) >= 3, null, { timeout: 60_000 });
    await lesson.byId('lesson-next').click();
    await lesson.byId('overfit-run').waitFor();
    await lesson.byId('lesson-next').click();
    await lesson.byId('hw-measure').waitFor();
    await lesson.byId('lesson-next').click();
    // Graded against ln 10 (the analytic answer); the run's first loss, from a fresh initialisation, supports it.
    await lesson.byId('train-q1-2').click();
    assert.equal(await lesson.byId('train-q1-result').getAttribute('data-correct'), 'true', await lesson.text('train-q1-result'));
    assert.equal(await lesson.byId('train-q1-run').getAttribute('data-fresh'), 'true');
    const firstLoss = Number((await lesson.text('train-q1-run')).match(/showed (\d+\.\d+)/)[1]);
    assert.ok(Math.abs(firstLoss - Math.log(10)) < 0.3, `first loss ${firstLoss}`);
    await lesson.byId('train-q2-blows').click();
    // No run at a learning rate of 1 yet: the answer waits for one, with the rules it will be graded by.
    await lesson.byId('train-q2-wait').waitFor();
    assert.match(await lesson.text('train-q2-rules'), /evaluated at step 300 or later.*mean loss of the last 10 steps is 2\.0 or more.*below 0\.5 and the validation accuracy, once measured, is at least 90 %.*when the run ends/);
    await lesson.screenshot('06-check-yourself');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('check yourself: answers given before the run are kept while the student does it, then graded; at a learning rate of 1 the blow-up is the outcome, although the run rolls back', async () => {
  // The seed model at lr 1 (the walkthrough saw it diverge at step 6 with a loss of 52).
  const lesson = await LessonPage.open(browser, server.url, '?step=7&engine=cpu&train=2000&test=500&eval=60&lr=1');
  try {
    // The engine line is shown on the dashboard only (step 4): wait for it to exist.
    await lesson.byId('engine-kind').waitFor({ state: 'attached', timeout: 120_000 });
    // Predict first: the first answer is graded against ln 10 at once (no run yet to show its first
    // loss); the second waits for a run at rate 1.
    await lesson.byId('train-q1-2').click();
    assert.equal(await lesson.byId('train-q1-result').getAttribute('data-correct'), 'true');
    assert.match(await lesson.text('train-q1-run'), /Step the Train step after a Reset/);
    await lesson.byId('train-q2-blows').click();
    await lesson.byId('train-q2-wait').waitFor();
    // Then run: on the Train step, one step (the first loss), then Start until it blows up.
    await lesson.goToStep(4);
    await lesson.step();
    await lesson.start();
    const banner = lesson.byId('diverged');
    await banner.waitFor({ timeout: 120_000 });
    assert.equal(await banner.getAttribute('data-lr'), '1');
    const divergedAt = await banner.getAttribute('data-step');
    // Back to the questions: the answers are still there, and graded by the run.
    await lesson.goToStep(7);
    assert.ok(await lesson.byId('train-q1-2').evaluate((b) => b.classList.contains('chosen')), 'the first answer is kept');
    assert.ok(await lesson.byId('train-q2-blows').evaluate((b) => b.classList.contains('chosen')), 'the second answer is kept');
    assert.equal(await lesson.byId('train-q1-result').getAttribute('data-correct'), 'true', await lesson.text('train-q1-result'));
    const q2 = lesson.byId('train-q2-result');
    await q2.waitFor();
    assert.equal(await q2.getAttribute('data-outcome'), 'blows');
    assert.equal(await q2.getAttribute('data-correct'), 'true', await q2.textContent());
    assert.match(await q2.textContent(), new RegExp(`blew up at step ${divergedAt}`));
    // Kept in this browser: a reload shows the same answers (and "Answer again" clears one).
    await lesson.page.reload();
    await lesson.byId('train-q2-blows').waitFor({ timeout: 60_000 });
    assert.ok(await lesson.byId('train-q2-blows').evaluate((b) => b.classList.contains('chosen')));
    await lesson.byId('train-q2-again').click();
    assert.equal(await lesson.byId('train-q2-blows').isDisabled(), false);
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('an out-of-range setting is refused with the rule it broke, in the page\'s language; the run keeps the last accepted value', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?engine=cpu&${SMALL}`);
  try {
    await lesson.engineKind();
    await lesson.byId('lr').fill('1000');
    await lesson.byId('lr').dispatchEvent('change');
    const why = lesson.byId('lr-invalid');
    await why.waitFor();
    assert.match(await why.textContent(), /Out of range: “1000” — learning rate: 0 < lr ≤ 10\. The run keeps the last accepted value\./);
    assert.equal(await lesson.byId('lr').inputValue(), '1000', 'what was typed stays, marked');
    assert.equal(await lesson.byId('lr').getAttribute('aria-invalid'), 'true');
    assert.doesNotMatch(lesson.page.url(), /lr=1000/);
    await lesson.byId('batch').fill('0');
    await lesson.byId('batch').dispatchEvent('change');
    assert.match(await lesson.text('batch-invalid'), /batch size: a whole number from 1 to 1024/);
    // In Chinese, the same rule.
    await lesson.byId('lang').click();
    assert.match(await lesson.text('lr-invalid'), /超出范围：“1000”——学习率：0 < lr ≤ 10/);
    await lesson.byId('lang').click();
    // A good value clears the message.
    await lesson.byId('lr').fill('0.1');
    await lesson.byId('lr').dispatchEvent('change');
    await lesson.page.waitForFunction(() => !document.querySelector('[data-testid=lr-invalid]'));
    assert.match(lesson.page.url(), /lr=0\.1/);
    assert.equal(await lesson.errors(), '');
  } finally { await lesson.close(); }
});

test('why a GPU: the share of a step that is matrix products, counted from the shapes, and each engine\'s FLOP/s and epoch time, measured here', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?step=6&${SMALL}`);
  try {
    await lesson.waitForData();
    await lesson.byId('hw-measure').click();
    const share = lesson.byId('hw-matmul-share');
    await share.waitFor({ timeout: 60_000 });
    // hidden=32, batch 32: 2·32·784·32 twice (fc1 forward, weight gradient) and 2·32·32·10 three times.
    const products = 2 * 2 * 32 * 784 * 32 + 3 * 2 * 32 * 32 * 10;
    const total = Number(await share.getAttribute('data-flops'));
    assert.ok(Math.abs(Number(await share.getAttribute('data-value')) - products / total) < 1e-9);
    assert.ok(products / total > 0.9, `matrix products are most of the arithmetic: ${products / total}`);
    const cpu = Number(await lesson.value('hw-flops-cpu'));
    assert.ok(cpu > 0, `the CPU engine's FLOP/s: ${cpu}`);
    // One epoch: (2,000 − 166 validation images) / 32 = 58 steps at the measured rate.
    assert.ok(Number(await lesson.value('hw-epoch-cpu')) > 0);
    assert.match(await lesson.text('hw-verdict'), /epoch of 1834 images/);
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('overfitting and early stopping: a validation split from the training images, patience, the best weights restored, the test set measured once', async () => {
  const lesson = await LessonPage.open(browser, server.url, `?step=5&engine=cpu&${SMALL}`);
  try {
    await lesson.waitForData();
    // Out of range: said on the page, nothing sent.
    await lesson.byId('overfit-train').fill('50');
    await lesson.byId('overfit-invalid').waitFor();
    assert.ok(await lesson.byId('overfit-run').isDisabled());
    // In range but more than the 2,000 loaded images hold (1,500 + 1,000 validation): the worker says why.
    await lesson.byId('overfit-train').fill('1500');
    await lesson.byId('overfit-run').click();
    await lesson.page.waitForFunction(() => /2000 are loaded/.test(document.body.textContent), null, { timeout: 60_000 });
    await lesson.byId('overfit-train').fill('500');
    await lesson.byId('overfit-patience').fill('4');
    await lesson.byId('overfit-run').click();
    await lesson.byId('val-loss').waitFor({ timeout: 120_000 });
    assert.equal(await lesson.byId('test-accuracy-final').count(), 0, 'no test figure while the run chooses when to stop');
    assert.match(await lesson.text('overfit-plan'), /500 training images and 1000 validation images.*784-32-10.*patience 4/);
    const stop = lesson.byId('early-stop');
    await stop.waitFor({ timeout: 300_000 });
    const rows = await lesson.page.$$eval('[data-testid=overfit-table] tbody tr', (trs) => trs.map((r) => ({ epoch: Number(r.dataset.epoch), loss: Number(r.dataset.valLoss) })));
    const best = rows.reduce((a, b) => (b.loss < a.loss ? b : a));
    const attr = async (k) => stop.getAttribute(`data-${k}`);
    assert.equal(Number(await attr('best-epoch')), best.epoch, 'the best is the lowest validation loss');
    assert.equal(await attr('stopped-early'), 'true');
    assert.equal(Number(await attr('stopped-at')), best.epoch + 4, 'stopped after 4 evaluations without improvement');
    assert.equal(rows.length, best.epoch + 4);
    // Restored: the best epoch's weights measure its validation loss again, exactly.
    assert.equal(await attr('restored-val-loss'), await attr('best-val-loss'));
    assert.equal(Number(await attr('best-val-loss')), best.loss);
    const test = lesson.byId('test-accuracy-final');
    assert.equal(await test.count(), 1);
    assert.equal(await test.getAttribute('data-images'), '500');
    const accuracy = Number(await test.getAttribute('data-value'));
    assert.ok(accuracy > 0.5 && accuracy <= 1, `test accuracy ${accuracy}`);
    assert.match(await lesson.text('overfit-gap'), /After epoch \d+/);
    await lesson.screenshot('07-early-stopping');
    assert.deepEqual(lesson.consoleErrors, []);
  } finally { await lesson.close(); }
});

test('start-up: how long until the lesson\'s controls can be used (printed, not asserted)', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  try {
    const t0 = Date.now();
    await page.goto(`${server.url}index.html?lesson=train&step=4`);
    const shown = Date.now() - t0;
    await page.waitForFunction(() => document.querySelector('[data-testid=engine-kind]') !== null
      && !document.querySelector('[data-testid=start]').disabled, null, { timeout: 120_000 });
    const usable = Date.now() - t0;
    const engine = await page.getByTestId('engine-kind').textContent();
    console.log(`start-up on localhost: page loaded in ${shown} ms, controls usable (engine ${engine}) after ${usable} ms`);
  } finally { await context.close(); }
});

test('speed of the seed MLP (784-512-10, batch 64) on WebGPU and on the CPU engine, as the page reports it (printed, not asserted)', async () => {
  const figures = {};
  for (const engine of ['gpu', 'cpu']) {
    const lesson = await LessonPage.open(browser, server.url, `?engine=${engine}&hidden=512&batch=64&train=5000&test=500&epochs=5&eval=10000`);
    try {
      lesson.page.on('console', (m) => { if (m.text().includes('Backprop Lab:')) console.log(engine, m.text()); });
      figures[engine] = { kind: await lesson.engineKind(), adapter: await lesson.text('engine-adapter') };
      await lesson.start();
      // Past start-up and the first bursts, then a few seconds of steady training.
      await lesson.page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) > 20, null, { timeout: 120_000 });
      await lesson.page.waitForTimeout(5000);
      figures[engine].samplesPerSecond = parseFloat(await lesson.text('speed'));
      assert.ok(figures[engine].samplesPerSecond > 0);
    } finally { await lesson.close(); }
  }
  console.log(`speed in headless Chromium: ${JSON.stringify(figures)}`);
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
