// The interpretability lesson in Chromium (CPU engine, the concept lessons' 784-32-10 model so the
// curves take seconds): the first layer's tiles, integrated gradients complete within 5 % at 64 steps,
// the sanity check, FGSM at ε = 0.2 changing a correctly classified digit, the robustness curve falling
// from the clean accuracy, adversarial training against its control, overconfidence on noise, the
// questions graded, Chinese and bad URLs.
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
    await p.screenshot('interpret-02-integrated');
    await p.set('ig-steps', 2);
    await p.page.waitForFunction((e) => Number(document.querySelector('[data-testid=ig-completeness]')?.dataset.value) !== e, error, { timeout: 60_000 });
    await p.byId('method-smoothgrad').click();
    await p.waitAttr('saliency-map', 'data-method', 'smoothgrad');
    assert.equal(await p.byId('ig-completeness').count(), 0, 'completeness belongs to integrated gradients');
    await p.byId('method-gradient').click();
    await p.waitAttr('saliency-map', 'data-method', 'gradient');
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
    await p.screenshot('interpret-03-sanity');

    await p.next();
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

test('the robustness curve falls from the clean accuracy; adversarial training beats its control at ε = 0.1; noise gets a confident class; the questions are graded', async () => {
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
    await p.screenshot('interpret-05-curve');

    await p.next();
    await p.byId('adv-train').click();
    await p.byId('harden-verdict').waitFor({ timeout: 600_000 });
    assert.equal(await p.attr('harden-verdict', 'data-helped'), 'true', await p.text('harden-verdict'));
    assert.equal(Number(await p.attr('robust-acc-0', 'data-value')), acc[0], 'the same model, the same images: the same clean accuracy');
    const hardened = await p.attr('robust-acc-adversarial-0.1', 'data-value');
    await p.screenshot('interpret-06-sturdier');

    await p.next();
    await p.byId('noise-image').click();
    await p.byId('noise-top').waitFor({ timeout: 60_000 });
    const top = Number(await p.attr('noise-top', 'data-p'));
    assert.ok(top > 0.1 && top <= 1, `noise still gets a class: ${top}`);
    assert.match(await p.text('noise-top'), /100\.0 %/);
    await p.screenshot('interpret-07-overconfidence');

    await p.next();
    await p.byId('interpret-q1-yes').click();
    await p.byId('interpret-q1-result').waitFor({ timeout: 120_000 });
    assert.equal(await p.attr('interpret-q1-result', 'data-correct'), String(acc[2] > 0.5));
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
    assert.equal(await p.errors(), '');
    assert.deepEqual(p.consoleErrors, []);
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
