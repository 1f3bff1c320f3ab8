// The concept lessons in Chromium with WebGPU (SwiftShader when headless): cross-entropy's playground
// against the formula and the live model's loss against the engine's, the chain rule's three factors
// against the engine's kernel gradient (named as the engine that ran) and a finite difference for weights
// of fc1 and fc2, predicting an update with the next one's result hidden until predicted, steps by keyboard and URL, presenter mode, Chinese, and an axe-core scan of every lesson.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { ChainRulePage, CrossEntropyPage, accessibilityProblems } from '../pages/live-model.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

test('cross-entropy playground: p and q set through the UI give H = −Σ p log q, its terms and q − p', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'step=2&engine=cpu');
  try {
    assert.equal(await ce.byId('live-run').isVisible(), false, 'step 2 does not use the live model: its bar is hidden');
    const z = [1.2, -0.4, 0.0, 2.5, -3.0, 0.7, 0.1, -1.5, 3.1, 0.4];
    await ce.select('ce-true-class', 8);
    await ce.setRange('ce-smoothing', 0.1);
    for (let k = 0; k < 10; k++) await ce.setRange(`ce-logit-${k}`, z[k]);
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    const q = e.map((v) => v / s);
    const p = z.map((_, k) => 0.9 * (k === 8 ? 1 : 0) + 0.01);
    const terms = p.map((pk, k) => -pk * Math.log(q[k]));
    const h = terms.reduce((a, b) => a + b, 0);
    assert.ok(rel(await ce.number('ce-value'), h) < 1e-9, `H on the page ${await ce.number('ce-value')} vs ${h}`);
    for (let k = 0; k < 10; k++) {
      assert.ok(Math.abs(await ce.number(`ce-term-${k}`) - terms[k]) < 1e-9, `term ${k}`);
      assert.ok(Math.abs(await ce.number(`ce-grad-${k}`) - (q[k] - p[k])) < 1e-9, `gradient ${k}`);
    }
    // Dragging q's bar of class 2 up renormalises the rest: q stays a distribution.
    await ce.byId('ce-bars').scrollIntoViewIfNeeded();
    const box = await ce.byId('ce-bars').boundingBox();
    // The chart is 440 units wide: a 30-unit value axis, then ten 41-unit slots; class 2's centre.
    const x = box.x + box.width * (30 + 2.5 * 41) / 440;
    await ce.page.mouse.move(x, box.y + box.height * 0.9);
    await ce.page.mouse.down();
    await ce.page.mouse.move(x, box.y + box.height * 0.3, { steps: 5 });
    await ce.page.mouse.up();
    const qs = [];
    for (let k = 0; k < 10; k++) qs.push(await ce.number(`ce-q-${k}`));
    assert.ok(qs[2] > 0.5, `the dragged bar is high: ${qs[2]}`);
    assert.ok(Math.abs(qs.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    await ce.screenshot('ce-01-playground');
    assert.deepEqual(ce.consoleErrors, []);
  } finally { await ce.close(); }
});

test('cross-entropy on the live model (WebGPU): the page\'s H equals the kernel\'s loss; gallery and quiz', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'step=4&engine=gpu&image=5');
  try {
    await ce.ready();
    assert.equal(await ce.text('engine-kind'), 'WebGPU', await ce.text('engine-note'));
    const check = async () => {
      await ce.waitNumber('ce-engine-loss');
      // Both from one reading, read in one go: a reply arriving between two reads (the steps just taken
      // refresh the image) would pair one reading's H with the next one's loss.
      const [page, engine] = await ce.page.evaluate(() => ['ce-live-h', 'ce-engine-loss']
        .map((id) => Number(document.querySelector(`[data-testid=${id}]`).dataset.value)));
      assert.ok(rel(page, engine) <= 1e-5, `page H ${page} vs engine ${engine}`);
      return engine;
    };
    const first = await check();
    assert.equal(await ce.text('ce-label'), '1');
    await ce.trainSteps(3);
    await ce.page.waitForFunction((l) => Number(document.querySelector('[data-testid=ce-engine-loss]')?.dataset.value) !== l, first);
    await check();
    await ce.screenshot('ce-02-live');

    await ce.byId('lesson-next').click();
    await ce.page.waitForFunction(() => document.querySelectorAll('[data-testid=surprise-item]').length === 12, null, { timeout: 120_000 });
    const losses = await ce.page.$$eval('[data-testid=surprise-item]', (els) => els.map((e) => Number(e.dataset.loss)));
    assert.deepEqual([...losses].sort((a, b) => b - a), losses, 'highest loss first');
    await ce.screenshot('ce-03-gallery');

    await ce.byId('lesson-next').click();
    await ce.page.waitForFunction(() => !document.querySelector('[data-testid=quiz-a]')?.disabled, null, { timeout: 120_000 });
    await ce.page.waitForTimeout(1000);
    await ce.byId('quiz-a').click();
    const a = await ce.waitNumber('quiz-h-a');
    const b = await ce.waitNumber('quiz-h-b');
    assert.ok(Math.abs(Math.exp(-a) - Math.exp(-b)) >= 0.25, `q(true) ${Math.exp(-a)} vs ${Math.exp(-b)}`);
    assert.equal(await ce.byId('quiz-result').getAttribute('data-correct'), String(a <= b));
    await ce.screenshot('ce-04-quiz');
    assert.deepEqual(ce.consoleErrors, []);
  } finally { await ce.close(); }
});

test('the quiz asks only when the answer shows on the bars: none on an untrained model, then pairs whose q(true) differ by 0.25 or more', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'step=6&engine=cpu');
  try {
    await ce.ready();
    // Untrained, every q(true) is about 1/10: the page says so instead of asking.
    await ce.byId('quiz-untrained').waitFor({ timeout: 60_000 });
    assert.ok(Number(await ce.value('quiz-untrained')) < 0.25);
    assert.ok(await ce.byId('quiz-a').isDisabled());
    await ce.trainSteps(3);
    for (let round = 0; round < 3; round++) {
      await ce.page.waitForFunction(() => !document.querySelector('[data-testid=quiz-a]')?.disabled, null, { timeout: 60_000 });
      await ce.page.waitForTimeout(500);
      await ce.byId(round % 2 ? 'quiz-b' : 'quiz-a').click();
      const a = await ce.waitNumber('quiz-h-a');
      const b = await ce.waitNumber('quiz-h-b');
      assert.ok(Math.abs(Math.exp(-a) - Math.exp(-b)) >= 0.25, `q(true) ${Math.exp(-a)} vs ${Math.exp(-b)}`);
      assert.equal(await ce.byId('quiz-result').getAttribute('data-correct'), String((round % 2 === 0) === (a <= b)));
      if (round === 0) {
        // The answered pair is pinned to the step it was read at: another training step changes neither H.
        await ce.trainSteps(1);
        await ce.page.waitForTimeout(500);
        assert.equal(await ce.number('quiz-h-a'), a);
        assert.equal(await ce.number('quiz-h-b'), b);
      }
      await ce.byId('quiz-next').click();
    }
    await ce.screenshot('ce-05-quiz');
    assert.deepEqual(ce.consoleErrors, []);
  } finally { await ce.close(); }
});

test('"Start from a trained model" replaces the live model by the shipped one: above 80 % at once, and it trains on from there', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'step=1&engine=cpu');
  try {
    await ce.ready();
    const untrained = await ce.number('live-accuracy');
    assert.ok(untrained < 0.3, `untrained: ${untrained}`);
    await ce.byId('live-trained').click();
    await ce.page.waitForFunction(() => Number(document.querySelector('[data-testid=live-accuracy]')?.dataset.value) > 0.8, null, { timeout: 60_000 });
    assert.equal(await ce.number('live-steps'), 0, 'training starts afresh from the trained weights');
    await ce.trainSteps(1);
    assert.ok(await ce.number('live-accuracy') > 0.8);
    assert.deepEqual(ce.consoleErrors, []);
  } finally { await ce.close(); }
});

test('chain rule on WebGPU: for weights of fc2 and fc1 the factors\' product, the kernel gradient and the finite difference agree', async () => {
  const ch = await ChainRulePage.open(browser, server.url, 'step=2&engine=gpu&weight=1.3.5&image=0&rows=1');
  try {
    await ch.ready();
    assert.equal(await ch.text('engine-kind'), 'WebGPU');
    // The kernel's gradient is named after the engine that ran (B7).
    assert.equal(await ch.byId('chain-kernel-label').getAttribute('data-engine'), 'WebGPU');
    assert.match(await ch.text('chain-kernel-label'), /GPU engine's WGSL kernel/);
    const agree = (f, what) => {
      assert.ok(rel(f.product, f.kernel) <= 1e-4, `${what}: product ${f.product} vs kernel ${f.kernel}`);
      if (Math.abs(f.kernel) > 1e-3) assert.ok(rel(f.fd, f.kernel) <= 1e-2, `${what}: finite difference ${f.fd} vs kernel ${f.kernel}`);
      else assert.ok(Math.abs(f.fd - f.kernel) < 1e-4, `${what}: ${f.fd} vs ${f.kernel}`);
    };
    const out = await ch.figures('1.3.5');
    agree(out, 'fc2[3, 5]');
    assert.equal(out.factors[1], 1, 'at the output the second factor is inside q − p');
    assert.ok(rel(out.product, out.factors[0] * out.factors[1] * out.factors[2]) < 1e-6, 'one image: the product of the three factors');

    // fc1 weights into the centre pixel: find an active hidden unit with a sizeable gradient and one that is off.
    let active, inactive;
    for (let j = 0; j < 32 && !(active && inactive); j++) {
      const f = await ch.pick(0, j, 14 * 28 + 14);
      if (process.env.E2E_DEBUG) console.log(j, f);
      if (f.factors[1] === 1 && Math.abs(f.kernel) > 1e-3 && !active) active = { j, f };
      if (f.factors[1] === 0 && !inactive) inactive = { j, f };
    }
    assert.ok(active, 'some hidden unit is on for image 0 with a gradient');
    agree(active.f, `fc1[${active.j}, 406]`);
    assert.ok(inactive, 'some hidden unit is off for image 0');
    assert.equal(inactive.f.kernel, 0, 'an inactive unit gets no gradient from the kernel');
    assert.equal(inactive.f.product, 0);

    // A batch of 16 images: the product summed over the batch is the kernel's gradient.
    await ch.pick(0, active.j, 406);
    await ch.select('chain-rows', 16);
    await ch.page.waitForFunction(() => document.querySelectorAll('[data-testid=chain-rows-table] tbody tr').length === 16, null, { timeout: 120_000 });
    agree(await ch.figures(`0.${active.j}.406`), 'fc1 on a batch of 16');
    // Picking by pointer on fc2's heat-map: row k, column j.
    await ch.byId('pick-fc2').scrollIntoViewIfNeeded();
    const box = await ch.byId('pick-fc2').boundingBox();
    await ch.page.mouse.click(box.x + box.width * (7.5 / 32), box.y + box.height * (2.5 / 10));
    agree(await ch.figures('1.2.7'), 'fc2[2, 7] picked on the heat-map');
    assert.match(ch.page.url(), /weight=1\.2\.7/);
    await ch.screenshot('chain-01-factors');
    assert.deepEqual(ch.consoleErrors, []);
  } finally { await ch.close(); }
});

test('chain rule: the backward pass stage by stage, then predict an update and run it', async () => {
  const ch = await ChainRulePage.open(browser, server.url, 'step=3&engine=gpu&weight=1.4.9&rows=16');
  try {
    await ch.ready();
    await ch.page.waitForSelector('[data-testid=delta-out]');
    assert.equal(await ch.byId('kernel-source').first().getAttribute('data-file'), 'head.wgsl');
    // Each heat-map says what its rows and columns are and what its deepest colours stand for.
    await ch.page.waitForFunction(() => Number(document.querySelector('[data-testid=delta-out-scale]')?.dataset.value) > 0);
    assert.match(await ch.text('delta-out-scale'), /one row per image, one column per class · deepest red = \+/);
    await ch.byId('backward-step').click();
    await ch.page.waitForSelector('[data-testid=delta-hidden]');
    await ch.byId('backward-step').click();
    await ch.page.waitForSelector('[data-testid=grad-fc1]');
    assert.match(await ch.text('kernel-source'), /grad weight/);
    await ch.screenshot('chain-02-backward');

    await ch.byId('lesson-next').click();
    await ch.page.waitForFunction(() => !document.querySelector('[data-testid=predict-up]')?.disabled, null, { timeout: 120_000 });
    const g = await ch.number('update-gradient');
    const v = await ch.number('update-velocity');
    // The update's result is not on screen before the student predicts.
    assert.match(await ch.text('update-formula'), /\?/, 'the answer is hidden until a prediction');
    assert.equal(await ch.byId('update-question').getAttribute('data-step'), '1');
    await ch.byId('predict-up').click();
    await ch.waitNumber('update-after');
    const before = await ch.number('update-before');
    const after = await ch.number('update-after');
    const expected = await ch.number('update-expected');
    assert.ok(Math.abs(after - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `w − lr(μv + g) ${expected} vs the engine's ${after}`);
    const correct = await ch.byId('predict-result').getAttribute('data-correct');
    assert.equal(correct, after === before ? 'none' : String(after > before), `g ${g}, v ${v}`);
    assert.equal(await ch.number('live-steps'), 1);
    // B6: the graded step is shown computed, apart; the next step's result stays hidden until it too is
    // predicted, and every later question is asked before it is answered.
    for (let round = 1; round <= 2; round++) {
      await ch.page.waitForFunction((n) => {
        const q = document.querySelector('[data-testid=update-question]');
        return q?.dataset.step === String(n + 1) && q.dataset.answered === 'false';
      }, round, { timeout: 120_000 });
      assert.equal(await ch.byId('update-graded').getAttribute('data-step'), String(round));
      assert.doesNotMatch(await ch.text('update-graded-formula'), /\?/, 'the graded step is fully computed');
      assert.match(await ch.text('update-formula'), /\?/, `step ${round + 1}: its result is hidden before the prediction`);
      await ch.page.waitForFunction(() => !document.querySelector('[data-testid=predict-down]')?.disabled, null, { timeout: 60_000 });
      await ch.byId('predict-down').click();
      await ch.page.waitForFunction((n) => document.querySelector('[data-testid=update-graded]')?.dataset.step === String(n + 1), round, { timeout: 120_000 });
      const [b, a, e] = [await ch.number('update-before'), await ch.number('update-after'), await ch.number('update-expected')];
      assert.ok(Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e)), `step ${round + 1}: ${e} vs ${a}`);
      assert.equal(await ch.byId('predict-result').getAttribute('data-correct'), a === b ? 'none' : String(a < b));
    }
    assert.equal(await ch.number('live-steps'), 3);
    // While the live model trains the prediction waits: only the step shown is graded (A1).
    await ch.byId('live-run').click();
    await ch.byId('predict-running').waitFor({ timeout: 60_000 });
    assert.ok(await ch.byId('predict-up').isDisabled(), 'no prediction while the model trains');
    await ch.byId('live-run').click();
    await ch.page.waitForFunction(() => !document.querySelector('[data-testid=predict-up]')?.disabled, null, { timeout: 120_000 });
    assert.equal(await ch.byId('predict-running').count(), 0);
    assert.deepEqual(ch.consoleErrors, []);
  } finally { await ch.close(); }
});

test('steps by keyboard and URL, presenter mode at 1280×720, Chinese, and no serious accessibility violation on any lesson', async () => {
  const ch = await ChainRulePage.open(browser, server.url, 'engine=cpu', { width: 1280, height: 720 });
  try {
    await ch.ready();
    assert.equal(await ch.step(), 1);
    await ch.page.keyboard.press('ArrowRight');
    await ch.page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.value === '2');
    assert.match(ch.page.url(), /step=2/);
    await ch.page.goBack();
    await ch.page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.value === '1');

    await ch.byId('present-toggle').click();
    await ch.page.waitForFunction(() => document.body.classList.contains('present'));
    assert.match(ch.page.url(), /present=1/);
    for (const id of ['lesson-prev', 'lesson-next', 'live-run', 'live-step']) assert.ok(await ch.byId(id).isVisible(), `${id} stays in presenter mode`);
    assert.ok(!(await ch.byId('lesson-dot-1').isVisible()), 'the dots are hidden');
    const size = await ch.page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    // 20 px at 1280×720 (a projector's 1.5× of the usual 13–14 px): large, and the run's controls still
    // fit the first screen (walkthrough-2's presenter finding).
    assert.ok(size >= 20, `large type: ${size}px`);
    await ch.screenshot('chain-03-presenter');
  } finally { await ch.close(); }

  const zh = await CrossEntropyPage.open(browser, server.url, 'step=1&lang=zh&engine=cpu');
  try {
    await zh.ready();
    assert.equal(await zh.page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await zh.text('lesson-step-title'), /[\u4e00-\u9fff]/);
    assert.match(await zh.text('live-run'), /开始/);
    await zh.screenshot('ce-04-chinese');
  } finally { await zh.close(); }

  const pages = [
    ['', 'home'], ['lesson=train&engine=cpu', 'train'], ['lesson=finetune&scenario=pen&test=100&engine=cpu', 'finetune'],
    ...[1, 2, 3, 4, 5, 6].map((s) => [`lesson=cross-entropy&step=${s}&engine=cpu`, `cross-entropy step ${s}`]),
    ...[1, 2, 3, 4].map((s) => [`lesson=chain-rule&step=${s}&engine=cpu`, `chain rule step ${s}`]),
    ['lesson=chain-rule&step=2&engine=cpu&present=1&lang=zh', 'chain rule, presenter mode, Chinese'],
  ];
  const problems = [];
  for (const [query, name] of pages) {
    // axe-core is injected as an inline script, which the page's policy rightly refuses.
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const page = await ctx.newPage();
    await page.goto(`${server.url}index.html${query ? `?${query}` : ''}`);
    await page.waitForTimeout(2500);
    for (const p of await accessibilityProblems(page)) problems.push(`${name}: ${p}`);
    await ctx.close();
  }
  assert.deepEqual(problems, []);
});

test('the live model downloaded from one concept lesson and loaded into another measures the same', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'engine=cpu');
  let file, trained;
  try {
    await ce.ready();
    await ce.byId('live-run').click();
    await ce.page.waitForFunction(() => Number(document.querySelector('[data-testid=live-steps]').dataset.value) > 40, null, { timeout: 120_000 });
    await ce.byId('live-run').click();
    // Pausing measures the model on the test pool.
    await ce.page.waitForFunction(() => /Start/.test(document.querySelector('[data-testid=live-run]').textContent));
    trained = await ce.waitNumber('live-accuracy');
    const [download] = await Promise.all([ce.page.waitForEvent('download'), ce.byId('export-model').click()]);
    assert.equal(download.suggestedFilename(), 'mlp-784-32-10.safetensors');
    file = await download.path();
    const cr = await ChainRulePage.open(browser, server.url, 'engine=cpu');
    try {
      await cr.ready();
      await cr.byId('import-model').setInputFiles(file);
      await cr.page.waitForFunction((a) => Number(document.querySelector('[data-testid=live-accuracy]').dataset.value) === a
        && document.querySelector('[data-testid=live-steps]').dataset.value === '0', trained, { timeout: 60_000 });
      // A model of another shape is refused with a message; the loaded one stays.
      await cr.byId('import-model').setInputFiles({ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
      await cr.page.waitForFunction(() => /model file cannot be used/.test(document.querySelector('.live-bar').textContent));
      assert.equal(await cr.number('live-accuracy'), trained);
    } finally { await cr.close(); }
  } finally { await ce.close(); }
});

test('trained as long as Start allows, the live model\'s panels still agree or say underflow, decided from the numbers', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'step=4&engine=cpu&image=5');
  try {
    await ce.ready();
    await ce.byId('live-run').click();
    // Start stops by itself at the epoch limit (it used to run until every loss was rounding).
    await ce.byId('live-limit').waitFor({ timeout: 120_000 });
    const steps = await ce.number('live-steps');
    assert.ok(steps >= 5 * 150 && steps < 5 * 160, `five epochs of 157 steps: ${steps}`);
    assert.equal(await ce.byId('live-run').isDisabled(), true);
    for (const image of [5, 6, 7]) {
      if (image > 5) await ce.byId('image-next').click();
      // The figures of this image (a reload would start a fresh live model).
      await ce.page.waitForFunction(() => document.querySelector('[data-testid=agreement]')?.dataset.state, null, { timeout: 60_000 });
      await ce.page.waitForTimeout(500);
      const state = await ce.byId('agreement').getAttribute('data-state');
      const difference = Number(await ce.value('ce-difference'));
      assert.ok(state === 'agree' || state === 'underflow', `image ${image}: ${state}`);
      if (state === 'agree') assert.ok(difference < 1e-3, `image ${image}: "agree" beside a relative difference of ${difference}`);
    }
    await ce.screenshot('ce-04-after-the-limit');
  } finally { await ce.close(); }
  const ch = await ChainRulePage.open(browser, server.url, 'step=2&engine=cpu&weight=1.3.5&image=0&rows=1');
  try {
    await ch.ready();
    // B7: on the CPU engine the kernel's gradient is the CPU engine's, and says so.
    await ch.page.waitForFunction(() => document.querySelector('[data-testid=chain-kernel-label]')?.dataset.engine, null, { timeout: 60_000 });
    assert.equal(await ch.byId('chain-kernel-label').getAttribute('data-engine'), 'CPU');
    assert.match(await ch.text('chain-kernel-label'), /CPU engine/);
    assert.doesNotMatch(await ch.text('chain-kernel-label'), /GPU/);
    await ch.byId('live-run').click();
    await ch.byId('live-limit').waitFor({ timeout: 120_000 });
    for (const weight of ['1.3.5', '1.0.0', '0.3.406']) {
      const [layer, out, input] = weight.split('.').map(Number);
      const f = await ch.pick(layer, out, input);
      const state = await ch.byId('agreement').getAttribute('data-state');
      assert.ok(['agree', 'underflow'].includes(state), `${weight}: ${state} (${JSON.stringify(f)})`);
      // "Agree" only where the page's own numbers say so: the finite difference within the resolution
      // it states (at most a quarter of the gradient) plus 1 %.
      const res = Number(await ch.byId('agreement').getAttribute('data-resolution'));
      if (state === 'agree') {
        assert.ok(rel(f.product, f.kernel) <= 1e-4, `${weight}: product vs kernel ${JSON.stringify(f)}`);
        assert.ok(Math.abs(f.fd - f.kernel) <= res + 0.01 * Math.abs(f.kernel) && res <= 0.25 * Math.abs(f.kernel),
          `${weight}: "agree" with ${JSON.stringify(f)} at resolution ${res}`);
      }
    }
    await ch.screenshot('chain-02-after-the-limit');
  } finally { await ch.close(); }
});

test('a reload takes up the live model where it stood in this browser; "start afresh" forgets it', async () => {
  const ce = await CrossEntropyPage.open(browser, server.url, 'step=4&engine=cpu&image=5');
  try {
    await ce.ready();
    await ce.trainSteps(3);
    const accuracy = await ce.waitNumber('live-accuracy');
    await ce.page.reload();
    await ce.byId('live-resumed').waitFor({ timeout: 120_000 });
    await ce.ready();
    assert.equal(await ce.value('live-resumed'), '3');
    assert.equal(await ce.number('live-steps'), 3, 'the steps survive the reload');
    await ce.page.waitForFunction((a) => Number(document.querySelector('[data-testid=live-accuracy]')?.dataset.value) === a, accuracy, { timeout: 60_000 });
    await ce.byId('live-afresh').click();
    await ce.page.waitForFunction(() => document.querySelector('[data-testid=live-steps]').dataset.value === '0', null, { timeout: 60_000 });
    await ce.page.reload();
    await ce.ready();
    assert.equal(await ce.number('live-steps'), 0, 'nothing is taken up after starting afresh');
    assert.equal(await ce.byId('live-resumed').count(), 0);
  } finally { await ce.close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
