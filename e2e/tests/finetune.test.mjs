// The fine-tuning lesson in Chromium with WebGPU (SwiftShader when headless): the recipe on "MNIST with
// another pen", three drawn symbols, export/import, the step in the URL, and the lesson in Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { FinetunePage } from '../pages/finetune.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
// 5 examples per class, 200 held-out images: small enough for a software GPU.
const PEN = 'scenario=pen&test=200&head_epochs=20&full_epochs=10';
const FC1 = 784 * 512 + 512;
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('another pen on WebGPU: fc1 stays bit-identical through the head phase, fine-tuning beats the pretrained model, export then import predicts the same', async () => {
  const ft = await FinetunePage.open(browser, server.url, `${PEN}&engine=gpu`);
  try {
    const pretrained = await ft.pretrainedAccuracy();
    assert.equal(await ft.text('engine-kind'), 'WebGPU', await ft.text('engine-note'));
    assert.ok(pretrained > 0.2 && pretrained < 0.8, `the pen shift hurts the pretrained model: ${pretrained}`);
    await ft.next();
    await ft.byId('lock-fc1').click();
    await ft.page.waitForFunction((n) => document.querySelector('[data-testid=ft-frozen-count]')?.dataset.value === String(n), FC1);
    const fc1Before = await ft.value('ft-fc1-digest');
    assert.match(fc1Before, /^[0-9a-f]{16}$/);
    await ft.next();
    assert.equal(await ft.value('ft-head-shape'), '512 → 10');
    await ft.next();
    await ft.trainPhase('train-head', 'head');
    await ft.screenshot('ft-01-head-phase');
    assert.equal(await ft.value('ft-fc1-digest'), fc1Before, 'fc1 read back from the engine is unchanged');
    assert.equal(await ft.number('weight-change-fc1.weight'), 0);
    assert.equal(await ft.value('grad-norm-fc1.weight'), '', 'a frozen tensor\'s gradient is not computed (p.grad is None)');
    assert.match(await ft.text('grad-norm-fc1.weight'), /not computed/);
    assert.equal(await ft.number('momentum-norm-fc1.weight'), 0);
    assert.ok(await ft.number('weight-change-fc2.weight') > 0);
    assert.ok(await ft.number('grad-norm-fc2.weight') > 0);
    const kernels = await ft.text('ft-kernels');
    assert.ok(!/fc1\.weight gradient/.test(kernels) && !/input gradient/.test(kernels), kernels);
    // Head phase: gather, fc1 forward, head.wgsl, fc2 dW+db, update (fc1 frozen: nothing below runs).
    assert.equal(await ft.value('ft-dispatches'), '5');
    await ft.next();
    await ft.trainPhase('train-full', 'full');
    assert.ok(await ft.number('weight-change-fc1.weight') > 0, 'fc1 trains once unfrozen');
    assert.equal(await ft.value('ft-dispatches'), '6', 'unfrozen: fc1 dW+db joins');
    const tuned = await ft.number('ft-accuracy');
    assert.ok(tuned > pretrained, `fine-tuning ${tuned} should beat the pretrained ${pretrained} on the same held-out images`);
    const digest = await ft.byId('ft-accuracy').getAttribute('data-digest');

    const [download] = await Promise.all([ft.page.waitForEvent('download'), ft.byId('export-model').click()]);
    assert.match(download.suggestedFilename(), /\.safetensors$/);
    const file = await download.path();
    await ft.byId('import-model').setInputFiles(file);
    assert.equal(await ft.pretrainedAccuracy(2), tuned, 'the imported model measures the same');
    assert.equal(await ft.byId('ft-accuracy').getAttribute('data-digest'), digest, 'and predicts the same classes');

    await ft.next();
    await ft.trainPhase('train-scratch', 'scratch');
    assert.ok(await ft.number('ft-scratch-accuracy') > 0);
    await ft.screenshot('ft-02-compare');
    assert.equal(await ft.errors(), '');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('three drawn symbols train a 3-class head, and the drawings survive a reload', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'scenario=symbols&engine=gpu&head_epochs=30');
  try {
    await ft.byId('draw-canvas').waitFor();
    // Draw once the engine has started: the panels above the pad grow when it reports.
    await ft.byId('engine-kind').first().waitFor({ state: 'attached', timeout: 120_000 });
    const shapes = [
      (j) => [[0.5, 0.15 + 0.02 * j], [0.5, 0.85]],
      (j) => [[0.15, 0.5 + 0.02 * j], [0.85, 0.5]],
      (j) => [[0.5, 0.2], [0.8, 0.5 + 0.02 * j], [0.5, 0.8], [0.2, 0.5], [0.5, 0.2]],
    ];
    for (let c = 0; c < 3; c++) {
      await ft.byId(`draw-class-${c}`).click();
      for (let j = 0; j < 4; j++) { await ft.stroke(shapes[c](j)); await ft.byId('draw-add').click(); }
      assert.equal(await ft.text(`draw-count-${c}`), '4');
    }
    await ft.page.reload();
    await ft.byId('draw-count-2').waitFor();
    assert.equal(await ft.text('draw-count-2'), '4', 'drawings are kept in this browser');
    await ft.pretrainedAccuracy();
    await ft.next(); await ft.next();
    await ft.byId('replace-head').click();
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=ft-head-shape]')?.dataset.value === '512 → 3');
    await ft.next();
    await ft.fill('ft-lr', 0.01);
    // The PyTorch program follows the page: the new 3-class head and the rate just typed.
    const code = await ft.text('ft-pytorch');
    assert.match(code, /model\.fc2 = nn\.Linear\(512, 3\)/, code);
    assert.match(code, /lr=0\.01, momentum=0\.9/, code);
    assert.match(code, /^import torch/, code);
    await ft.trainPhase('train-head', 'head');
    const accuracy = await ft.number('ft-accuracy');
    assert.ok(accuracy >= 0.66, `a 3-class head on clearly different symbols: ${accuracy}`);
    await ft.screenshot('ft-03-symbols');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('the step comes from the URL, arrows and Back move it, and the lesson completes in Chinese', async () => {
  const ft = await FinetunePage.open(browser, server.url, `step=3&lang=zh&engine=cpu&${PEN}`);
  try {
    assert.equal(await ft.step(), 3);
    assert.equal(await ft.text('lesson-step-title'), '替换输出层');
    assert.equal(await ft.page.getAttribute('html', 'lang'), 'zh-CN');
    await ft.pretrainedAccuracy();
    await ft.page.keyboard.press('ArrowLeft');
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.value === '2');
    assert.ok(ft.page.url().includes('step=2'));
    await ft.page.waitForFunction((n) => document.querySelector('[data-testid=ft-frozen-count]')?.dataset.value === String(n), FC1);
    await ft.page.goBack();
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.value === '3');
    await ft.next();
    await ft.trainPhase('train-head', 'head');
    // The kernel list speaks Chinese too.
    const kernels = await ft.text('ft-kernels');
    assert.match(kernels, /fc2\.weight 的梯度/, kernels);
    assert.doesNotMatch(kernels, /gradient \(|forward \(|update fc/, kernels);
    await ft.next();
    await ft.trainPhase('train-full', 'full');
    await ft.next();
    await ft.trainPhase('train-scratch', 'scratch');
    const verdict = await ft.text('ft-verdict');
    assert.match(verdict, /最好的是|差不多/, verdict);
    assert.match(verdict, /百分点/, verdict);
    await ft.screenshot('ft-04-chinese');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('home page lists the lessons; Back and Forward move between home and a lesson', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}index.html`);
    await page.getByTestId('lesson-card-train').waitFor();
    await page.getByTestId('lesson-card-finetune').waitFor();
    await page.getByTestId('open-finetune').click();
    await page.getByTestId('lesson-step').waitFor();
    assert.ok(page.url().includes('lesson=finetune'));
    await page.goBack();
    await page.getByTestId('lesson-card-train').waitFor();
    await page.goForward();
    await page.getByTestId('lesson-step').waitFor();
    await page.screenshot({ path: fileURLToPath(new URL('../artifacts/ft-00-lesson.png', import.meta.url)) });
  } finally { await context.close(); }
});

test('the CIFAR-10 program: the animals model gets a 512→4 vehicles head and trains with flips and crops', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'scenario=cifar&engine=cpu&head_epochs=2&full_epochs=1&batch=64');
  try {
    const pretrained = await ft.pretrainedAccuracy();
    assert.ok(pretrained >= 0 && pretrained <= 1);
    assert.match(await ft.text('ft-data'), /airplane automobile ship truck/);
    await ft.next();
    await ft.byId('lock-fc1').click();
    await ft.next();
    assert.equal(await ft.value('ft-head-shape'), '512 → 6');
    await ft.byId('replace-head').click();
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=ft-head-shape]')?.dataset.value === '512 → 4');
    await ft.next();
    const fc1 = await ft.value('ft-fc1-digest');
    await ft.trainPhase('train-head', 'head');
    assert.equal(await ft.value('ft-fc1-digest'), fc1, 'fc1 frozen through the head phase');
    const accuracy = await ft.number('ft-accuracy');
    assert.ok(accuracy > 0.3, `four vehicle classes after two epochs of the head: ${accuracy}`);
    await ft.screenshot('ft-05-cifar');
    assert.equal(await ft.errors(), '');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('the verdict: pending until a fine-tuning phase has run, the band from the held-out count, the untouched model named when it wins, too few below 50', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=6&scenario=pen&test=200&head_epochs=1&full_epochs=1&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    assert.equal(await ft.byId('ft-verdict').getAttribute('data-state'), 'pending', 'no verdict before anything was fine-tuned');
    assert.equal(await ft.value('ft-heldout-count'), '200');
    assert.equal(await ft.byId('ft-scratch-lr').inputValue(), '0.01', 'from scratch has its own rate');
    // A fresh head that barely trains, and a scratch run that barely trains: the untouched model wins.
    for (let i = 0; i < 3; i++) await ft.byId('lesson-prev').click();
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.value === '3');
    await ft.byId('replace-head').click();
    await ft.next();
    await ft.fill('ft-lr', 1e-6);
    await ft.fill('ft-epochs', 1);
    await ft.trainPhase('train-head', 'head');
    await ft.next(); await ft.next();
    await ft.fill('ft-scratch-lr', 1e-6);
    await ft.fill('ft-scratch-epochs', 1);
    await ft.trainPhase('train-scratch', 'scratch');
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=ft-verdict]')?.dataset.state !== 'pending');
    const verdict = ft.byId('ft-verdict');
    assert.equal(await verdict.getAttribute('data-state'), 'best', await ft.text('ft-verdict'));
    assert.equal(await verdict.getAttribute('data-best'), 'untouched', await ft.text('ft-verdict'));
    const text = await ft.text('ft-verdict');
    assert.match(text, /200 held-out examples/, text);
    // The band is max(1 point, 2 standard errors of the difference) on the 200 held-out examples.
    const arms = ['ft-untouched-accuracy', 'ft-tuned-accuracy', 'ft-scratch-arm-accuracy'];
    const acc = (await Promise.all(arms.map((id) => ft.number(id)))).sort((a, b) => b - a);
    const band = Math.max(1, 200 * Math.sqrt((acc[0] * (1 - acc[0]) + acc[1] * (1 - acc[1])) / 200));
    assert.ok(text.includes(`±${band.toFixed(1)}-point band`), `${text} (band ${band})`);
    await ft.screenshot('ft-06-verdict');
  } finally { await ft.close(); }
  const few = await FinetunePage.open(browser, server.url, 'step=4&scenario=pen&test=40&head_epochs=1&engine=cpu');
  try {
    await few.pretrainedAccuracy();
    await few.trainPhase('train-head', 'head');
    await few.next(); await few.next();
    await few.page.waitForFunction(() => document.querySelector('[data-testid=ft-verdict]')?.dataset.state === 'too-few');
    assert.match(await few.text('ft-verdict'), /Only 40 held-out examples/);
  } finally { await few.close(); }
});

test('a fine-tuning run resumes after a reload: the same held-out accuracy from the restored weights, every arm, the verdict and the forms', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=4&scenario=pen&test=200&head_epochs=2&engine=cpu');
  try {
    const pretrained = await ft.pretrainedAccuracy();
    await ft.fill('ft-lr', 0.003);
    await ft.trainPhase('train-head', 'head');
    await ft.next(); await ft.next();
    await ft.fill('ft-scratch-epochs', 2);
    await ft.trainPhase('train-scratch', 'scratch');
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=ft-verdict]')?.dataset.state !== 'pending');
    const before = {
      accuracy: await ft.number('ft-accuracy'),
      digest: await ft.byId('ft-accuracy').getAttribute('data-digest'),
      scratch: await ft.number('ft-scratch-arm-accuracy'),
      verdict: await ft.text('ft-verdict'),
      change: await ft.number('weight-change-fc2.weight'),
    };
    assert.ok(before.change > 0);
    // Kept when the phase ended: wait for the worker to say so, then reload.
    await ft.page.waitForFunction(() => Number(document.querySelector('[data-testid=ft-kept]')?.dataset.value) > 0);
    assert.equal(await ft.byId('ft-resumed').count(), 0, 'nothing was taken up on the first visit');
    await ft.page.reload();
    await ft.byId('ft-resumed').waitFor();
    await ft.page.waitForFunction((d) => document.querySelector('[data-testid=ft-accuracy]')?.getAttribute('data-digest') === d, before.digest, { timeout: 60_000 });
    assert.equal(await ft.number('ft-accuracy'), before.accuracy, 'measured again from the restored weights');
    assert.equal(await ft.number('ft-pretrained-accuracy'), pretrained, 'the untouched arm');
    assert.equal(await ft.number('ft-scratch-arm-accuracy'), before.scratch, 'the from-scratch arm');
    assert.equal(await ft.text('ft-verdict'), before.verdict);
    // Read back from the restored engine: the head moved as far from where its phase began.
    await ft.page.waitForFunction(() => document.querySelector('[data-testid="weight-change-fc2.weight"]')?.dataset.value);
    assert.equal(await ft.number('weight-change-fc2.weight'), before.change);
    for (let i = 0; i < 2; i++) await ft.byId('lesson-prev').click();
    assert.equal(await ft.byId('ft-lr').inputValue(), '0.003', 'the head phase\'s rate comes back into its form');
    // Start afresh forgets the kept run: the next load measures the shipped model anew.
    await Promise.all([ft.page.waitForEvent('load'), ft.byId('ft-afresh').click()]);
    await ft.pretrainedAccuracy();
    assert.equal(await ft.byId('ft-resumed').count(), 0);
    assert.equal(await ft.number('ft-accuracy'), pretrained);
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('freezing by zeroing gradients: the frozen fc1 drifts through weight decay on WebGPU, the page says why, and the PyTorch program zeroes instead of freezing', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=2&scenario=pen&test=200&head_epochs=2&engine=gpu');
  try {
    await ft.pretrainedAccuracy();
    await ft.byId('lock-fc1').click();
    await ft.page.waitForFunction((n) => document.querySelector('[data-testid=ft-frozen-count]')?.dataset.value === String(n), FC1);
    await ft.byId('ft-zero-grad').check();
    const code = await ft.text('ft-pytorch');
    assert.match(code, /zeroed = \[\*model\.fc1\.parameters\(\)\]/, code);
    assert.match(code, /p\.grad\.zero_\(\)/, code);
    assert.match(code, /weight_decay=0\.01, epochs=2, zeroed=zeroed/, code);
    const fc1Before = await ft.value('ft-fc1-digest');
    await ft.next(); await ft.next();
    assert.equal(await ft.byId('ft-weight-decay').inputValue(), '0.01', 'ticking the box gave the head phase weight decay');
    await ft.trainPhase('train-head', 'head');
    assert.ok(await ft.number('weight-change-fc1.weight') > 0, 'a layer "frozen" by zeroing still moves');
    assert.equal(await ft.byId('grad-norm-fc1.weight').getAttribute('data-zeroed'), 'true');
    assert.equal(await ft.number('grad-norm-fc1.weight'), 0);
    assert.notEqual(await ft.value('ft-fc1-digest'), fc1Before);
    assert.equal(await ft.byId('ft-drift').getAttribute('data-state'), 'drift');
    assert.match(await ft.text('ft-drift'), /fc1\.(weight|bias) still moved/);
    // requires_grad = False again: the next head phase leaves fc1 bit-identical.
    for (let i = 0; i < 2; i++) await ft.byId('lesson-prev').click();
    await ft.byId('ft-zero-grad').uncheck();
    await ft.next(); await ft.next();
    const fc1Zeroed = await ft.value('ft-fc1-digest');
    await ft.trainPhase('train-head', 'head');
    assert.equal(await ft.number('weight-change-fc1.weight'), 0);
    assert.equal(await ft.value('ft-fc1-digest'), fc1Zeroed);
    assert.equal(await ft.byId('ft-drift').count(), 0);
    assert.equal(await ft.errors(), '');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('3 seeds: both trained arms rerun from the model as loaded, seed 1 reproduces the page\'s run, mean ± sd per arm, a verdict over the means, kept after a reload', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=4&scenario=pen&test=200&head_epochs=3&full_epochs=2&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    await ft.trainPhase('train-head', 'head');
    await ft.next();
    await ft.trainPhase('train-full', 'full');
    await ft.next();
    assert.ok(await ft.byId('ft-seeds').isDisabled(), 'not before the from-scratch arm has run');
    await ft.trainPhase('train-scratch', 'scratch');
    await ft.byId('ft-seeds').click();
    await ft.page.waitForFunction(() => {
      const t = document.querySelector('[data-testid=ft-seeds-table]');
      return t?.dataset.done === '3' && t.dataset.running === 'false';
    }, null, { timeout: 240_000 });
    assert.equal(await ft.byId('ft-seeds-repeat').getAttribute('data-state'), 'same', await ft.text('ft-seeds-repeat'));
    assert.equal(await ft.number('ft-seed-tuned-0'), await ft.number('ft-tuned-accuracy'));
    assert.equal(await ft.number('ft-seed-scratch-0'), await ft.number('ft-scratch-arm-accuracy'));
    const per = async (arm) => Promise.all([0, 1, 2].map((i) => ft.number(`ft-seed-${arm}-${i}`)));
    const stats = (v) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1))];
    };
    const arms = {};
    for (const arm of ['untouched', 'tuned', 'scratch']) {
      const [m, sd] = stats(await per(arm));
      assert.ok(Math.abs(await ft.number(`ft-seeds-mean-${arm}`) - m) < 1e-6, arm);
      assert.ok(Math.abs(Number(await ft.byId(`ft-seeds-mean-${arm}`).getAttribute('data-sd')) - sd) < 1e-6, arm);
      arms[arm] = { m, sd };
    }
    // The verdict compares the two best means within max(1, sqrt(1.96²·(p(1−p) + q(1−q))/200 + t²·(sd²/3 + sd²/3))):
    // Student's t for 2 degrees of freedom (4.303) only on the seeds' spread, z = 1.96 on the held-out sampling.
    const [a, b] = Object.entries(arms).sort((x, y) => y[1].m - x[1].m);
    const held = 1.96 ** 2 * (a[1].m * (1 - a[1].m) + b[1].m * (1 - b[1].m)) / 200;
    const band = Math.max(1, 100 * Math.sqrt(held + 4.303 ** 2 * (a[1].sd ** 2 / 3 + b[1].sd ** 2 / 3)));
    const verdict = ft.byId('ft-seeds-verdict');
    const text = await ft.text('ft-seeds-verdict');
    assert.ok(text.includes(`±${band.toFixed(1)}`) && text.includes('200 held-out'), `${text} (band ${band})`);
    assert.match(text, /this set of training examples/, text);
    // The pretrained head was kept: a seed only reorders the fine-tuned arm's batches, and the page says so.
    assert.match(await ft.text('ft-seeds-head-kept'), /changes only the order of the batches/);
    assert.equal(await verdict.getAttribute('data-state'), 100 * (a[1].m - b[1].m) > band ? 'best' : 'tie', text);
    assert.equal(await verdict.getAttribute('data-best'), a[0], text);
    await ft.screenshot('ft-07-seeds');
    await ft.page.waitForFunction(() => Number(document.querySelector('[data-testid=ft-kept]')?.dataset.value) > 0);
    await ft.page.waitForTimeout(1500);
    await ft.page.reload();
    await ft.byId('ft-resumed').waitFor();
    await ft.page.waitForFunction(() => document.querySelector('[data-testid=ft-seeds-table]')?.dataset.done === '3');
    assert.equal(await ft.text('ft-seeds-verdict'), text, 'the seeds come back after a reload');
    assert.equal(await ft.errors(), '');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('predict, then run: the gradient question is graded by the head phase\'s trace, the transfer question by the verdict on fine-tuning and scratch', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=4&scenario=pen&test=200&head_epochs=1&full_epochs=1&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    await ft.byId('ft-predict-fc2.weight').waitFor();
    // Only fc2.weight: forgets that the head's bias trains too.
    await ft.byId('ft-predict-fc2.weight').check();
    await ft.byId('ft-predict-lock').click();
    assert.ok(await ft.byId('ft-predict-fc2.bias').isDisabled(), 'locked in');
    assert.equal(await ft.byId('ft-predict-gradients-result').count(), 0, 'no grade before the phase has run');
    await ft.trainPhase('train-head', 'head');
    const result = ft.byId('ft-predict-gradients-result');
    assert.equal(await result.getAttribute('data-correct'), 'false');
    assert.match(await result.textContent(), /fc2\.bias, fc2\.weight|fc2\.weight, fc2\.bias/);
    assert.doesNotMatch(await result.textContent(), /fc1/);
    await ft.next(); await ft.next();
    await ft.byId('ft-predict-tuned').click();
    assert.ok(await ft.byId('ft-predict-same').isDisabled());
    await ft.fill('ft-scratch-epochs', 1);
    await ft.trainPhase('train-scratch', 'scratch');
    // Only the head has trained: that is not fine-tuning, so the question waits for step 5.
    await ft.byId('ft-predict-transfer-needs-full').waitFor();
    assert.match(await ft.text('ft-predict-transfer-needs-full'), /Run step 5 \(fine-tune every layer\) to grade this/);
    assert.equal(await ft.byId('ft-predict-transfer-result').count(), 0, 'not graded on a head-only run');
    await ft.prev();
    await ft.trainPhase('train-full', 'full');
    await ft.next();
    const transfer = ft.byId('ft-predict-transfer-result');
    await transfer.waitFor();
    assert.equal(await ft.byId('ft-predict-transfer-needs-full').count(), 0);
    const actual = await transfer.getAttribute('data-actual');
    assert.ok(['tuned', 'same', 'scratch'].includes(actual));
    assert.equal(await transfer.getAttribute('data-correct'), String(actual === 'tuned'));
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('walking steps 1→2→3→4 without touching a lock, "Train the head" still leaves fc1 bit-identical; before any step the freezing panel says nothing has run', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'scenario=pen&test=200&head_epochs=2&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    assert.equal(await ft.step(), 1);
    await ft.next();
    // Step 2 opened by walking: fc1 is still trainable (the path that used to train it in the head phase).
    assert.equal(await ft.byId('lock-fc1').getAttribute('aria-pressed'), 'false');
    await ft.page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid=ft-fc1-digest]')?.dataset.value ?? ''));
    const fc1Before = await ft.value('ft-fc1-digest');
    assert.equal(await ft.value('ft-dispatches'), '0');
    assert.match(await ft.text('ft-dispatches'), /No training step has run yet/);
    assert.match(await ft.text('grad-norm-fc1.weight'), /nothing has run yet/);
    await ft.next();
    await ft.next();
    assert.equal(await ft.step(), 4);
    await ft.trainPhase('train-head', 'head');
    assert.equal(await ft.value('ft-fc1-digest'), fc1Before, 'fc1 read back from the engine is bit-identical');
    assert.equal(await ft.number('weight-change-fc1.weight'), 0);
    assert.equal(await ft.number('weight-change-fc1.bias'), 0);
    assert.equal(await ft.value('grad-norm-fc1.weight'), '', 'no gradient computed for fc1');
    assert.ok(await ft.number('weight-change-fc2.weight') > 0, 'the head trained');
    // Trained before predicting: the gradient question can no longer be locked in.
    assert.ok(await ft.byId('ft-predict-lock').isDisabled(), 'no prediction after the head has trained');
    assert.match(await ft.text('ft-predict-too-late'), /Predict before training/);
    // The comparison names the phase reached: head only, not yet fine-tuning; the pretrained head was kept
    // (step 3 was walked past), so it is not called a linear probe.
    await ft.next(); await ft.next();
    assert.equal(await ft.byId('ft-tuned-name').getAttribute('data-full'), 'false');
    assert.match(await ft.text('ft-tuned-name'), /head only \(pretrained head kept\)/);
    // Only one trained arm has run: no "Best", and the pending sentence says which arm is missing.
    assert.equal(await ft.byId('ft-verdict').getAttribute('data-state'), 'pending');
    assert.match(await ft.text('ft-verdict'), /A fine-tuning phase has run; the verdict appears once the from-scratch arm/);
    assert.equal(await ft.errors(), '');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('early stopping per phase (ft-early-stop): set on the form, validated on examples carved from the training ones, and the page says where the phase stopped', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=4&scenario=pen&test=200&head_epochs=60&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    const early = ft.byId('ft-early-stop');
    assert.equal(await early.getAttribute('data-state'), 'off', 'off by default: every epoch runs');
    assert.match(await ft.dataLine(), /^Examples: 50 for training · 200 held out/);
    await ft.fill('ft-lr', 0.1);
    await ft.fill('ft-patience', 3);
    assert.equal(await early.getAttribute('data-patience'), '3');
    assert.equal(await early.getAttribute('data-state'), 'set');
    // A linear probe on 40 examples at lr 0.1 overfits long before 60 epochs: the validation loss turns up.
    const ran = await ft.trainPhaseUntilEnded('train-head', 'head');
    assert.equal(await early.getAttribute('data-state'), 'stopped', await ft.text('ft-early-stop'));
    const stoppedAt = Number(await early.getAttribute('data-stopped-at'));
    const best = Number(await early.getAttribute('data-best-epoch'));
    assert.equal(stoppedAt, ran, 'where the phase stopped is where its progress ended');
    assert.ok(stoppedAt < 60, `stopped before its 60 epochs: ${stoppedAt}`);
    assert.equal(stoppedAt - best, 3, 'patience 3: three epochs without a lower validation loss after the best');
    const result = await ft.text('ft-early-stop-result');
    assert.match(result, new RegExp(`Stopped early at epoch ${stoppedAt} of 60`), result);
    assert.match(result, /10 examples carved from the training examples/, result);
    assert.match(result, /other 40 examples/, result);
    assert.match(await ft.dataLine(), /^Examples: 50 for training · 200 held out/, 'the held-out examples are untouched');
    // The freezing panel describes the restored weights, not the last trained step: no gradient of theirs yet.
    assert.equal(await ft.value('grad-norm-fc2.weight'), '');
    assert.match(await ft.text('grad-norm-fc2.weight'), /no step since this changed/);
    // The best epoch's weights were kept: the status tile shows them, measured again.
    await ft.next(); await ft.next();
    assert.equal(await ft.number('ft-tuned-accuracy'), await ft.number('ft-accuracy'));
    // The from-scratch arm has the same setting on its form.
    assert.equal(await ft.byId('ft-early-stop').getAttribute('data-state'), 'off');
    // Patience 3 on the head phase, none here: the arms would train on different examples, and the page says so.
    assert.match(await ft.text('ft-patience-differs'), /Set the same patience on every arm, or none/);
    await ft.fill('ft-scratch-patience', 2);
    await ft.fill('ft-scratch-epochs', 80);
    const scratchRan = await ft.trainPhaseUntilEnded('train-scratch', 'scratch');
    const s = ft.byId('ft-early-stop');
    assert.ok(['stopped', 'ran-all'].includes(await s.getAttribute('data-state')), await ft.text('ft-early-stop'));
    assert.equal(Number(await s.getAttribute('data-stopped-at')), scratchRan);
    assert.match(await ft.text('ft-scratch-settings'), /early stopping with patience 2/);
    // The seeds repeat the phases with their early stopping: seed 1 reproduces both arms exactly.
    await ft.byId('ft-seeds').click();
    await ft.page.waitForFunction(() => {
      const t = document.querySelector('[data-testid=ft-seeds-table]');
      return t?.dataset.done === '3' && t.dataset.running === 'false';
    }, null, { timeout: 240_000 });
    assert.equal(await ft.byId('ft-seeds-repeat').getAttribute('data-state'), 'same', await ft.text('ft-seeds-repeat'));
    assert.equal(await ft.errors(), '');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('bad settings are refused with a message: URL keys named in the "ignored" line, lr 1000 and 0 epochs on the form before Train', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=4&scenario=banana&per_class=0&head_epochs=-1&test=200&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    const line = await ft.text('ft-url-problem');
    assert.match(line, /^Settings in the URL were ignored \(/, line);
    for (const key of ['scenario=banana', 'per_class=0', 'head_epochs=-1']) assert.ok(line.includes(key), `${key} in ${line}`);
    assert.match(await ft.dataLine(), /^Examples: 50 for training/, 'the defaults stand in');
    await ft.fill('ft-lr', 1000);
    assert.match(await ft.text('ft-lr-refused'), /1000 is refused; it must be \(0, 10\]/);
    assert.ok(await ft.byId('train-head').isDisabled(), 'Train waits until the rate is corrected');
    await ft.fill('ft-lr', 0.001);
    assert.equal(await ft.byId('ft-lr-refused').count(), 0);
    await ft.fill('ft-epochs', 0);
    assert.match(await ft.text('ft-epochs-refused'), /0 is refused; it must be 1–500/);
    assert.ok(await ft.byId('train-head').isDisabled());
    await ft.fill('ft-epochs', 1);
    assert.ok(!(await ft.byId('train-head').isDisabled()));
    await ft.trainPhase('train-head', 'head');
    assert.match(await ft.text('ft-url-problem'), /per_class=0/, 'still named after a phase ran');
    assert.deepEqual(ft.consoleErrors, []);
  } finally { await ft.close(); }
});

test('a reload during a phase does not drop it silently: the page names the phase it cut off', async () => {
  const ft = await FinetunePage.open(browser, server.url, 'step=4&scenario=pen&test=200&head_epochs=500&engine=cpu');
  try {
    await ft.pretrainedAccuracy();
    await ft.byId('train-head').click();
    await ft.page.waitForFunction(() => /^head:\d+\/500:running$/.test(document.querySelector('[data-testid=ft-phase]')?.dataset.progress ?? ''));
    await ft.page.reload();
    await ft.byId('ft-interrupted').waitFor({ timeout: 60_000 });
    assert.equal(await ft.byId('ft-interrupted').getAttribute('data-phase'), 'head');
    assert.match(await ft.text('ft-interrupted'), /while the head phase was running \(epoch \d+ of 500 when it was last kept\)/);
    await ft.byId('ft-resumed').waitFor();
  } finally { await ft.close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
