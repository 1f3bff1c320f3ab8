// The interpretability lesson in Chromium (CPU engine, the concept lessons' 784-32-10 model so the
// curves take seconds): the first layer's tiles, integrated gradients complete within 5 % at 64 steps,
// a map key per method, the sanity check with the gradient and with integrated gradients, FGSM at
// ε = 0.2 changing a correctly classified digit, the robustness curve falling from the clean accuracy
// with PGD at or below FGSM at every ε (also after a reload mid-run), adversarial training against its
// control under FGSM and PGD, overconfidence on noise and the calibration before and after temperature
// scaling, the questions graded, Chinese and bad URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { InterpretPage } from '../pages/interpret.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SETUP = 'engine=cpu&model=mlp-32&test=1000&harden=3000';

test('saliency maps (integrated gradients complete within 5 % at 64 steps), the sanity check, FGSM at ε = 0.2 fooling a correctly classified digit', async () => {
  const p = await InterpretPage.open(browser, server.url, `step=1&${SETUP}`);
  try {
    await p.loaded();
    await p.byId('weight-tiles').waitFor({ timeout: 60_000 });
    await p.byId('class-means').waitFor();
    await p.screenshot('interpret-01-first-layer');

    await p.next();
    await p.waitAttr('saliency-map', 'data-method', 'integrated');
    const error = Number(await p.attr('ig-completeness', 'data-value'));
    assert.ok(error <= 0.05, `Σ attributions within 5 % of z(x) − z(x₀) at 64 steps: ${error}`);
    await p.waitAttr('map-key', 'data-method', 'integrated');
    assert.match(await p.text('map-key'), /difference from the baseline/, 'integrated gradients\' own key');
    await p.screenshot('interpret-02-integrated');
    await p.set('ig-steps', 2);
    await p.page.waitForFunction((e) => Number(document.querySelector('[data-testid=ig-completeness]')?.dataset.value) !== e, error, { timeout: 60_000 });
    await p.byId('method-smoothgrad').click();
    await p.waitAttr('saliency-map', 'data-method', 'smoothgrad');
    assert.equal(await p.byId('ig-completeness').count(), 0, 'completeness belongs to integrated gradients');
    await p.byId('method-gradient').click();
    await p.waitAttr('saliency-map', 'data-method', 'gradient');
    await p.waitAttr('map-key', 'data-method', 'gradient');
    assert.match(await p.text('map-key'), /more ink there would raise/);
    await p.byId('saliency-magnitude').check();
    await p.waitAttr('saliency-map', 'data-magnitude', 'true');
    await p.byId('saliency-magnitude').uncheck();
    // A digit drawn on the pad is explained instead of the test image.
    await p.byId('draw-toggle').click();
    const pad = await p.byId('draw-canvas').boundingBox();
    await p.page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.2);
    await p.page.mouse.down();
    for (let k = 1; k <= 10; k++) await p.page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * (0.2 + 0.06 * k));
    await p.page.mouse.up();
    await p.waitAttr('saliency-map', 'data-image', 'drawn');
    await p.screenshot('interpret-02-drawn');
    await p.byId('draw-toggle').click();
    await p.waitAttr('saliency-map', 'data-image', '0');

    await p.next();
    await p.set('randomize-layer', 2);
    await p.byId('sanity-verdict').waitFor({ timeout: 60_000 });
    const rho = Number(await p.attr('sanity-verdict', 'data-rho'));
    assert.ok(rho >= -1 && rho <= 1, `ρ ${rho}`);
    assert.equal(await p.attr('sanity-verdict', 'data-passed'), String(rho < 0.5));
    assert.equal(await p.attr('sanity-verdict', 'data-method'), 'gradient');
    assert.match(await p.text('sanity-verdict'), /rule of thumb of 0\.5 on this image/);
    await p.screenshot('interpret-03-sanity');
    // Integrated gradients from black multiply by the image: the check is offered with it too.
    await p.set('sanity-method', 'integrated');
    await p.waitAttr('sanity-verdict', 'data-method', 'integrated');
    const rhoIg = Number(await p.attr('sanity-verdict', 'data-rho'));
    assert.ok(rhoIg >= -1 && rhoIg <= 1, `ρ ${rhoIg}`);
    assert.equal(await p.attr('sanity-verdict', 'data-passed'), String(rhoIg < 0.5));
    await p.screenshot('interpret-03-sanity-integrated');

    await p.next();
    // The demo opens at ε = 0: nothing changed yet, so "raise ε until the answer changes" holds.
    await p.waitAttr('fgsm-prediction', 'data-epsilon', '0');
    assert.equal(await p.attr('fgsm-prediction', 'data-after'), await p.attr('fgsm-prediction', 'data-before'));
    await p.set('fgsm-eps', 0.2);
    // The first test image the model classifies correctly: at ε = 0.2 its answer changes.
    for (let i = 0; i < 20; i++) {
      await p.set('image-index', i);
      await p.page.waitForFunction((k) => {
        const el = document.querySelector('[data-testid=fgsm-prediction]');
        return el && el.dataset.epsilon === '0.2' && el.closest('[data-testid=fgsm]') && document.querySelector('[data-testid=image-index]').value === String(k);
      }, i, { timeout: 60_000 });
      await p.page.waitForTimeout(300);
      if (await p.attr('fgsm-prediction', 'data-before') === await p.attr('fgsm-prediction', 'data-label')) break;
    }
    assert.equal(await p.attr('fgsm-prediction', 'data-before'), await p.attr('fgsm-prediction', 'data-label'));
    assert.notEqual(await p.attr('fgsm-prediction', 'data-after'), await p.attr('fgsm-prediction', 'data-before'), 'fooled at ε = 0.2');
    await p.screenshot('interpret-04-fgsm');
    assert.equal(await p.errors(), '');
    assert.deepEqual(p.consoleErrors, []);
  } finally { await p.page.context().close(); }
});

test('the robustness curve falls from the clean accuracy and PGD is at or below FGSM at every ε; adversarial training beats its control at ε = 0.1 against FGSM, PGD measured too; noise gets a confident class; calibration before and after temperature scaling; the questions are graded', async () => {
  const p = await InterpretPage.open(browser, server.url, `step=5&${SETUP}`);
  try {
    await p.loaded();
    await p.byId('robustness-run').click();
    await p.byId('robust-acc-0.3').and(p.page.locator('[data-value]')).waitFor({ timeout: 300_000 });
    const eps = ['0', '0.05', '0.1', '0.15', '0.2', '0.25', '0.3'];
    const acc = [];
    for (const e of eps) acc.push(Number(await p.attr(`robust-acc-${e}`, 'data-value')));
    assert.ok(acc[0] > 0.85, `clean accuracy ${acc[0]}`);
    for (let i = 1; i < acc.length; i++) assert.ok(acc[i] <= acc[i - 1], `monotone: ${acc}`);
    assert.ok(acc[6] < acc[0] - 0.3, `ε = 0.3 fools it: ${acc}`);
    // PGD beside FGSM at every ε, never above it (it starts from the FGSM image and counts an image
    // only if it withstands both); equal at ε = 0, where neither changes anything.
    const pgd = [];
    for (const e of eps) pgd.push(Number(await p.attr(`pgd-accuracy-${e}`, 'data-value')));
    for (let i = 0; i < eps.length; i++) assert.ok(pgd[i] <= acc[i], `PGD ${pgd[i]} ≤ FGSM ${acc[i]} at ε = ${eps[i]}`);
    assert.equal(pgd[0], acc[0]);
    assert.ok(pgd.slice(1).some((v, i) => v < acc[i + 1]), `PGD is stronger somewhere: ${pgd} vs ${acc}`);
    await p.screenshot('interpret-05-curve');

    await p.next();
    await p.byId('adv-train').click();
    await p.byId('harden-verdict').waitFor({ timeout: 600_000 });
    assert.equal(await p.attr('harden-verdict', 'data-helped'), 'true', await p.text('harden-verdict'));
    assert.match(await p.text('harden-verdict'), /Against FGSM/);
    // PGD on every arm at the training's ε; the sentence follows the numbers.
    const advFgsm = Number(await p.attr('robust-acc-adversarial-0.1', 'data-value'));
    const advPgd = Number(await p.attr('pgd-accuracy-adversarial-0.1', 'data-value'));
    assert.ok(advPgd <= advFgsm, `hardened copy: PGD ${advPgd} ≤ FGSM ${advFgsm}`);
    for (const arm of ['clean-', '']) assert.ok(await p.attr(`pgd-accuracy-${arm}0.1`, 'data-value') !== null);
    const helpedPgd = await p.attr('harden-verdict', 'data-helped-pgd');
    assert.match(await p.text('harden-verdict'), helpedPgd === 'true' ? /Against PGD it helped too/ : /Against PGD it is not above/);
    assert.equal(Number(await p.attr('robust-acc-0', 'data-value')), acc[0], 'the same model, the same images: the same clean accuracy');
    const hardened = await p.attr('robust-acc-adversarial-0.1', 'data-value');
    await p.screenshot('interpret-06-sturdier');

    await p.next();
    await p.byId('noise-image').click();
    await p.byId('noise-top').waitFor({ timeout: 60_000 });
    const top = Number(await p.attr('noise-top', 'data-p'));
    assert.ok(top > 0.1 && top <= 1, `noise still gets a class: ${top}`);
    assert.match(await p.text('noise-top'), /100\.0 %/);
    // The pad asks for what this step wants, not for a digit.
    assert.match(await p.text('prediction'), /not a digit/);
    // Calibration, cross-fitted on the test images: T minimises the NLL on each half, and on the
    // images T was fitted on the ECE does not rise (data-val-after ≤ data-val-before).
    await p.byId('calibration-ece').waitFor({ timeout: 120_000 });
    const valBefore = Number(await p.attr('calibration-ece', 'data-val-before'));
    const valAfter = Number(await p.attr('calibration-ece', 'data-val-after'));
    assert.ok(valBefore >= 0 && valBefore <= 1 && valAfter >= 0, `ECE ${valBefore} → ${valAfter}`);
    assert.ok(valAfter <= valBefore + 1e-6, `validation ECE after ≤ before: ${valBefore} → ${valAfter}`);
    assert.equal(Number(await p.attr('calibration-ece-test-before', 'data-value')), Number(await p.attr('calibration-ece', 'data-test-before')));
    const t = Number(await p.attr('calibration-temperature', 'data-value'));
    assert.ok(t >= 0.05 && t <= 20, `T ${t}`);
    const counts = await p.page.locator('[data-testid=reliability-diagram] rect.before').evaluateAll((rs) => rs.map((r) => Number(r.dataset.count)));
    assert.equal(counts.reduce((a, b) => a + b, 0), 1000, 'every test image falls in one bin');
    assert.equal(await p.attr('reliability-diagram', 'data-bins'), '15');
    for (const side of ['data-even', 'data-odd']) {
      const ts = Number(await p.attr('calibration-temperature', side));
      assert.ok(ts >= 0.05 && ts <= 20, `T ${side} ${ts}`);
    }
    assert.ok(Number(await p.attr('calibration-nll-fit', 'data-value')) <= Number(await p.attr('calibration-nll-before', 'data-value')) + 1e-6, 'T minimises the NLL where it was fitted');
    // "Better" only beyond the bootstrap interval of the held-out change.
    const lo = Number(await p.attr('calibration-ece', 'data-change-lo'));
    const hi = Number(await p.attr('calibration-ece', 'data-change-hi'));
    assert.ok(lo <= hi, `interval ${lo}..${hi}`);
    assert.equal(await p.attr('calibration-verdict', 'data-better'), String(hi < 0));
    assert.equal(await p.attr('calibration-verdict', 'data-worse'), String(lo > 0));
    assert.match(await p.text('calibration-verdict'), /95 % bootstrap interval/);
    await p.screenshot('interpret-07-overconfidence');

    await p.next();
    // The curve of step 5 already shows the accuracy at ε = 0.1: question 1 is no longer a prediction.
    assert.equal(await p.byId('interpret-q1-yes').isDisabled(), true, 'Q1 locked once measured');
    assert.equal(await p.byId('interpret-q1-no').isDisabled(), true);
    assert.match(await p.text('interpret-q1-measured'), /no longer a prediction/);
    assert.equal(await p.byId('interpret-q1-result').count(), 0);
    await p.byId('interpret-q2-no').click();
    await p.byId('interpret-q2-result').waitFor({ timeout: 60_000 });
    await p.screenshot('interpret-08-check');

    // A reload shows the curves kept in this browser; "Start afresh" forgets them.
    await p.page.reload();
    await p.byId('interpret-resumed').waitFor({ timeout: 120_000 });
    await p.byId('lesson-prev').click();
    await p.byId('lesson-prev').click();
    await p.waitAttr('robust-acc-adversarial-0.1', 'data-value', hardened);
    await p.byId('interpret-afresh').click();
    await p.byId('interpret-resumed').waitFor({ state: 'detached' });
    assert.equal(await p.byId('robustness-table').count(), 0, 'the curves are gone');
    // Nothing measured any more: question 1 is a prediction again, graded by the accuracy at ε = 0.1
    // that answering it measures (the same model and images as step 5's curve).
    await p.next();
    await p.next();
    assert.equal(await p.byId('interpret-q1-measured').count(), 0);
    await p.byId('interpret-q1-yes').click();
    await p.byId('interpret-q1-result').waitFor({ timeout: 120_000 });
    {
      // Within two standard errors of 50 % the page marks neither answer.
      const n = 1000;
      const se = Math.sqrt(acc[2] * (1 - acc[2]) / n);
      const expected = Math.abs(acc[2] - 0.5) < 2 * se ? 'undecided' : String(acc[2] > 0.5);
      assert.equal(await p.attr('interpret-q1-result', 'data-correct'), expected);
    }
    assert.match(await p.text('interpret-q1-result'), /FGSM, ε = 0\.1/);
    assert.equal(await p.errors(), '');
    assert.deepEqual(p.consoleErrors, []);
  } finally { await p.page.context().close(); }
});

test('a reload while the robustness curve is measured keeps the points measured and says the curve stopped short', async () => {
  // The shipped 784-512-10 model on every test image: PGD makes each ε take long enough to reload
  // after the first point.
  const p = await InterpretPage.open(browser, server.url, 'step=5&engine=cpu');
  try {
    await p.loaded();
    await p.byId('robustness-run').click();
    await p.byId('robust-acc-0').and(p.page.locator('[data-value]')).waitFor({ timeout: 300_000 });
    const clean = await p.attr('robust-acc-0', 'data-value');
    assert.equal(await p.attr('pgd-accuracy-0', 'data-value'), clean);
    await p.page.reload();
    await p.byId('interpret-resumed').waitFor({ timeout: 180_000 });
    await p.byId('robustness-partial').waitFor();
    assert.equal(await p.attr('robust-acc-0', 'data-value'), clean, 'the point measured before the reload');
    assert.equal(await p.byId('robustness-run').isEnabled(), true, 'nothing runs after the reload');
    await p.byId('interpret-afresh').click();
    await p.byId('robustness-partial').waitFor({ state: 'detached' });
  } finally { await p.page.context().close(); }
});

test('a model file the student picks is explained (a corrupt one is refused and changes nothing); without a live model kept, the page says where to train one', async () => {
  const p = await InterpretPage.open(browser, server.url, `step=2&${SETUP}`);
  try {
    await p.loaded();
    await p.waitAttr('interpret-model', 'data-source', 'shipped');
    await p.byId('interpret-live-model').click();
    await p.page.waitForFunction(() => /Cross-entropy/.test(document.querySelector('[data-testid=errors]').textContent), null, { timeout: 30_000 });
    await p.byId('interpret-load-model').setInputFiles({ name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
    await p.page.waitForFunction(() => document.querySelectorAll('[data-testid=errors] .error').length >= 2, null, { timeout: 30_000 });
    assert.match(await p.text('interpret-model'), /784-32-10/, 'the model explained is unchanged');
    await p.byId('interpret-load-model').setInputFiles(fileURLToPath(new URL('../../static/models/mnist-mlp-784-512-10.safetensors', import.meta.url)));
    await p.waitAttr('interpret-model', 'data-source', 'file');
    assert.match(await p.text('interpret-model'), /784-512-10/);
    await p.waitAttr('saliency-map', 'data-method', 'integrated');
    assert.ok(Number(await p.attr('ig-completeness', 'data-value')) <= 0.05);
    assert.deepEqual(p.consoleErrors.filter((e) => !/Backprop Lab/.test(e)), []);
  } finally { await p.page.context().close(); }
});

test('the lesson in Chinese, and settings out of range are named on the page and not used', async () => {
  const p = await InterpretPage.open(browser, server.url, 'step=2&engine=cpu&lang=zh&model=vgg&test=5');
  try {
    assert.match(await p.errors(), /model=vgg/);
    assert.match(await p.errors(), /test=5/);
    assert.match(await p.text('lesson-title'), /黑箱/);
    await p.loaded();
    assert.match(await p.text('interpret-model'), /784-512-10 .* 10000/, 'the defaults: the shipped model, every test image');
    await p.waitAttr('saliency-map', 'data-method', 'integrated');
    await p.screenshot('interpret-zh-saliency');
  } finally { await p.page.context().close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
