// The optimisers lesson on the live model (its worker, the CPU engine in headless Chromium's auto mode):
// minibatch against full-batch gradients, Adam's step map on fc1, the race from one initialisation on
// one batch stream, and the quiz's race. Every number is measured in the worker; the tests check the
// relations the page's sentences state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { OptimizersLivePage } from '../pages/optimizers.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('step 1: minibatch gradients come closer to the full-batch gradient as the batch grows, each cosine within its range', async () => {
  const p = await OptimizersLivePage.open(browser, server.url, 'step=1');
  try {
    const g = await p.gradNoise();
    for (const [b, r] of Object.entries(g)) {
      assert.ok(r.low <= r.cosine && r.cosine <= r.high && r.high <= 1 + 1e-6, `batch ${b}: ${JSON.stringify(r)}`);
      assert.ok(r.error > 0, `batch ${b}: a minibatch is not the full batch`);
    }
    assert.ok(g[1].cosine < g[64].cosine && g[64].cosine < g[512].cosine, JSON.stringify(g));
    assert.ok(g[1].error > g[512].error, JSON.stringify(g));
    assert.ok(g[512].cosine > 0.9, `512 images point close to the full gradient: ${g[512].cosine}`);
    assert.match(await p.text('grad-verdict'), /A batch of 64 points about \d+° away from the full gradient/);
    await p.screenshot('optimizers-live-01-gradients');
    const trained = await p.gradNoise(true);
    assert.ok(trained[512].cosine > trained[1].cosine, JSON.stringify(trained));
    assert.deepEqual(p.consoleErrors, []);
  } finally { await p.close(); }
});

test('step 4: Adam\'s first step moves every weight with a gradient by about lr, far more evenly than the plain gradient step', async () => {
  const p = await OptimizersLivePage.open(browser, server.url, 'step=4');
  try {
    const m = await p.stepMap();
    assert.ok(Math.abs(m.adamMedian - 1) < 0.02, `Adam's first step is lr·g/|g|: median ${m.adamMedian} × lr`);
    assert.ok(m.adamSpread < 1.1, `Adam's first steps are all about lr: spread ${m.adamSpread}`);
    assert.ok(m.sgdSpread > 10 * m.adamSpread, `the plain step follows the gradient: spread ${m.sgdSpread}`);
    assert.match(await p.text('adam-step-verdict'), /every weight moves about the same distance/);
    // The first step: Adam's momentum is empty, so a weight with no gradient moves under neither rule.
    assert.equal(m.adamMovesStill, 0, 'no momentum yet');
    assert.match(await p.text('adam-step-verdict'), /moved under neither rule/);
    assert.equal(await p.byId('adam-step-map').getAttribute('data-drawn'), 'true');
    await p.screenshot('optimizers-live-02-step-map');
    const later = await p.stepMap(true);
    assert.ok(later.adamSpread > m.adamSpread, `after 300 steps the averages remember: ${later.adamSpread} vs ${m.adamSpread}`);
    // After 300 Adam steps m̂ is not zero: weights with no gradient this step may still move under Adam,
    // and the sentence says which case the page measured.
    if (later.adamMovesStill > 0) assert.match(await p.text('adam-step-verdict'), /the plain step leaves them, Adam still moves/);
    else assert.match(await p.text('adam-step-verdict'), /moved under neither rule/);
    if (later.adamSpread >= 2) assert.doesNotMatch(await p.text('adam-step-verdict'), /about the same distance/);
  } finally { await p.close(); }
});

test('step 5: three optimisers race 200 steps from the same loss to the last bit, every one learns, and the race resumes after a reload', async () => {
  const p = await OptimizersLivePage.open(browser, server.url, 'step=5');
  try {
    const ids = ['sgd', 'momentum', 'adam'];
    const r = await p.race(ids, { steps: 200 });
    assert.equal(new Set(ids.map((id) => r[id].firstBits)).size, 1, JSON.stringify(r));
    assert.ok(r.sgd.firstBits !== '', 'the first loss is shown');
    assert.equal(await p.value('race-same-start'), 'true');
    const first = new Float32Array(new Uint32Array([Number(r.sgd.firstBits)]).buffer)[0];
    assert.ok(Math.abs(first - Math.log(10)) < 0.3, `a fresh model's loss is about ln 10: ${first}`);
    for (const id of ids) {
      assert.ok(r[id].loss < first, `${id} learned: ${r[id].loss} < ${first}`);
      assert.ok(r[id].accuracy > 0.5, `${id}: ${r[id].accuracy}`);
    }
    assert.ok(r.samplesPerS > 0);
    assert.match(await p.text('race-verdict'), /leads with|too close to call/);
    await p.screenshot('optimizers-live-03-race');
    // After a reload the race is shown again, the same numbers.
    await p.page.reload();
    await p.byId('race-progress').waitFor({ timeout: 120_000 });
    const again = await p.raceNumbers(ids);
    for (const id of ids) assert.deepEqual(again[id], r[id], id);
    assert.match(await p.text('optimizers-resumed'), /kept in this browser/);
    // One learning rate out of range is refused with a message, Start stays disabled, nothing races.
    await p.byId('race-preset-same').check();
    for (const bad of ['1000', '-1', '0']) {
      await p.byId('race-same-lr').fill(bad);
      await p.page.waitForFunction((b) => (document.querySelector('[data-testid=race-same-lr-refused]')?.textContent ?? '').includes(`"${b}"`), bad);
      assert.match(await p.text('race-same-lr-refused'), new RegExp(`The learning rate "${bad}" is refused`));
      assert.equal(await p.byId('race-start').isDisabled(), true, bad);
    }
    // One learning rate for all: Adam at 0.3 (3× SGD's tuned rate) is a different race, and the table
    // prints the rate that ran.
    const same = await p.race(['sgd', 'adam'], { steps: 200, same: 0.3 });
    assert.equal(await p.byId('race-same-lr-refused').count(), 0);
    for (const id of ['sgd', 'adam']) {
      assert.equal(await p.byId(`race-settings-${id}`).getAttribute('data-lr'), '0.3');
      assert.match(await p.text(`race-settings-${id}`), /^lr 0\.3\b/);
    }
    assert.ok(same.adam.accuracy < same.sgd.accuracy || Number.isNaN(same.adam.loss), JSON.stringify(same));
    await p.screenshot('optimizers-live-04-same-rate');
  } finally { await p.close(); }
});

test('the quiz\'s third question is graded by a race of SGD and Adam at SGD\'s rate', async () => {
  const p = await OptimizersLivePage.open(browser, server.url, 'step=6&lang=zh');
  try {
    await p.byId('opt-q3-2').click();
    await p.byId('opt-q3-result').waitFor({ timeout: 600_000 });
    assert.equal(await p.byId('opt-q3-result').getAttribute('data-correct'), 'true');
    assert.equal(await p.byId('opt-q3-2').getAttribute('data-right'), 'true');
    assert.match(await p.text('opt-q3-result'), /正确。 SGD（随机梯度下降） \d+\.\d% · Adam（自适应矩估计） (\d+\.\d%|在第 \d+ 步发散) \(200 步\)/);
    await p.screenshot('optimizers-live-05-quiz-zh');
  } finally { await p.close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
