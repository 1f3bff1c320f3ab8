// "Optimisers on a surface" in Chromium: every path is the engine's own update rule (kernels::surface →
// ops::optim) compiled into the page; the counts, the closed forms and every sentence come from them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { OptimizersPage } from '../pages/optimizers.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Sets a range input as a student's drag would (an input event per value). */
async function slide(page, testid, value) {
  await page.getByTestId(testid).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

test('at κ = 100 momentum needs several (at least 5×) fewer iterations than gradient descent, both within 20 % of the closed form; a start clicked on the map moves both', async () => {
  const p = await OptimizersPage.open(browser, server.url, 'step=2&kappa=100');
  try {
    assert.equal(await p.value('opt-kappa'), '100');
    const gd = await p.iterations('gd');
    const momentum = await p.iterations('momentum');
    assert.ok(gd >= 5 * momentum, `gradient descent ${gd}, momentum ${momentum}`);
    for (const [id, measured] of [['gd', gd], ['momentum', momentum]]) {
      const { exact, rate } = await p.theory(id);
      assert.ok(Math.abs(measured - exact) <= 0.2 * exact, `${id}: measured ${measured}, closed form ${exact}`);
      assert.ok(rate > 0, `${id}: the count by the rate alone is shown (${rate})`);
    }
    // The rate alone: ≈ 345 and ≈ 34 (momentum's transient is why its exact count is higher).
    assert.equal((await p.theory('gd')).rate, 345.4);
    assert.equal((await p.theory('momentum')).rate, 34.4);
    assert.match(await p.text('opt-verdict'), new RegExp(`fewer iterations.*\\(${gd} / ${momentum}\\)`));
    await p.screenshot('optimizers-01-kappa-100');
    // Another start: the counts and the exact closed forms move together.
    // In view first: the step's text is long enough to push the map's lower part below the fold.
    await p.byId('opt-surface').scrollIntoViewIfNeeded();
    const box = await p.byId('opt-surface').boundingBox();
    await p.page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.85);
    await p.page.waitForFunction(() => document.querySelector('[data-testid=opt-surface]').dataset.start !== '-1.5,1');
    const [gd2, momentum2] = [await p.iterations('gd'), await p.iterations('momentum')];
    assert.ok(gd2 >= 5 * momentum2, `from the click: ${gd2} vs ${momentum2}`);
    const exact2 = (await p.theory('momentum')).exact;
    assert.ok(Math.abs(momentum2 - exact2) <= 0.2 * exact2, `${momentum2} vs ${exact2}`);
  } finally { await p.close(); }
});

test('a learning rate past 2/κ makes gradient descent diverge, and the page says so; the adaptive rules and the other surfaces draw and count', async () => {
  const p = await OptimizersPage.open(browser, server.url, 'step=2&kappa=100');
  try {
    await p.setLr('gd', 0.05);
    await p.page.waitForFunction(() => /diverged/.test(document.querySelector('[data-testid=opt-iterations-gd]').textContent));
    assert.ok(Number.isNaN(await p.iterations('gd')));
    // Both are ticked: the verdict names the one that diverged instead of asking to tick them.
    assert.match(await p.text('opt-verdict'), /Gradient descent diverged at its rate/);
    assert.doesNotMatch(await p.text('opt-verdict'), /Tick/);
    for (const id of ['nesterov', 'adagrad', 'rmsprop', 'adamw']) await p.enable(id);
    for (const id of ['nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw']) {
      assert.notEqual(await p.text(`opt-iterations-${id}`), '–', `${id} ran`);
    }
    await p.byId('opt-surface-choice').selectOption('rosenbrock');
    await p.page.waitForFunction(() => new URLSearchParams(location.search).get('surface') === 'rosenbrock');
    assert.equal(await p.byId('opt-kappa').count(), 0, 'κ belongs to the quadratic only');
    assert.equal(await p.byId('opt-theory-gd').count(), 0, 'no closed form off the quadratic');
    // Rosenbrock's curved valley: Adam gets there, plain gradient descent at 1e-3 does not in 5,000 steps.
    assert.ok(await p.iterations('adam') > 0, 'Adam reaches the minimum');
    assert.match(await p.text('opt-iterations-gd'), /not within 5000/);
    assert.match(await p.text('opt-verdict'), /Gradient descent did not stay within 1\/1000 of the start's distance by iteration 5000/);
    await p.screenshot('optimizers-02-rosenbrock');
    for (const s of ['saddle', 'beale']) {
      await p.byId('opt-surface-choice').selectOption(s);
      await p.page.waitForFunction((v) => new URLSearchParams(location.search).get('surface') === v, s);
      assert.notEqual(await p.text('opt-iterations-adam'), '–', `${s}: Adam ran`);
    }
    assert.deepEqual(p.consoleErrors, []);
  } finally { await p.close(); }
});

test('"Best settings" never diverge for any ticked optimiser (the ticks are kept) at κ 1, 10, 100, 1000 (the slider\'s ends included); gradient descent arrives within the cap even at κ = 1000; the boxes show four digits', async () => {
  const p = await OptimizersPage.open(browser, server.url, 'step=2');
  try {
    const ids = ['gd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'];
    for (const id of ids) await p.enable(id);
    for (const [kappa, log] of [[1, 0], [10, 1], [100, 2], [1000, 3]]) {
      await slide(p.page, 'opt-kappa', log);
      await p.page.waitForFunction((k) => document.querySelector('[data-testid=opt-kappa]').dataset.value === String(k), kappa);
      await p.byId('opt-optimal').click();
      for (const id of ids) {
        assert.doesNotMatch(await p.text(`opt-iterations-${id}`), /diverged|–/, `κ ${kappa}: ${id}`);
      }
      for (const id of ['gd', 'momentum', 'nesterov']) {
        assert.ok(await p.iterations(id) > 0, `κ ${kappa}: ${id} arrives at its best settings`);
      }
      if (kappa > 1) {
        assert.match(await p.text('opt-verdict'), /momentum needed fewer iterations/, `κ ${kappa}`);
        assert.doesNotMatch(await p.text('opt-verdict'), /Tick/);
      }
    }
    // κ = 1000: gradient descent's best rate needs about 3,450 iterations, within the cap, and the count
    // is close to its exact closed form.
    const gd = await p.iterations('gd');
    const { exact } = await p.theory('gd');
    assert.ok(gd > 3000 && Math.abs(gd - exact) <= 0.02 * exact, `gd ${gd}, exact ${exact}`);
    // Four significant digits in the boxes (2/1001 = 0.001998…), and the rows run with them.
    assert.equal(await p.byId('opt-lr-gd').inputValue(), '0.001998');
    await p.screenshot('optimizers-04-kappa-1000');
  } finally { await p.close(); }
});

test('a learning rate or μ out of range is refused with a message and the row does not run; "Best settings" clears it; no box is given "–" as a value', async () => {
  const p = await OptimizersPage.open(browser, server.url, 'step=2&kappa=100');
  const warnings = [];
  p.page.on('console', (m) => warnings.push(m.text()));
  try {
    // The page again with the listener attached from the start: no "cannot be parsed" warning.
    await p.page.reload();
    await p.byId('opt-iterations-gd').waitFor();
    assert.equal(warnings.filter((w) => /cannot be parsed/.test(w)).length, 0, warnings.join('\n'));
    assert.equal(await p.byId('opt-mu-gd').inputValue(), '');
    for (const bad of ['-1', '0', '1000']) {
      await p.setLr('gd', bad);
      await p.page.waitForFunction((b) => (document.querySelector('[data-testid=opt-refused]')?.textContent ?? '').includes(`"${b}"`), bad);
      assert.match(await p.text('opt-refused'), new RegExp(`Gradient descent: the learning rate "${bad}" is refused`));
      assert.match(await p.text('opt-iterations-gd'), /not run \(value refused\)/);
      assert.doesNotMatch(await p.text('opt-iterations-gd'), /not within|diverged/);
      assert.match(await p.text('opt-verdict'), /Tick gradient descent and momentum/);
    }
    await p.byId('opt-mu-momentum').fill('1.5');
    await p.byId('opt-mu-momentum').press('Enter');
    await p.page.waitForFunction(() => /μ "1\.5" is refused/.test(document.querySelector('[data-testid=opt-refused]')?.textContent ?? ''));
    await p.byId('opt-optimal').click();
    assert.equal(await p.byId('opt-refused').count(), 0);
    assert.ok(await p.iterations('gd') > 0 && await p.iterations('momentum') > 0);
    await p.setLr('gd', 0.0195);
    assert.equal(await p.byId('opt-refused').count(), 0);
    assert.ok(await p.iterations('gd') > 0);
    assert.deepEqual(p.consoleErrors, []);
  } finally { await p.close(); }
});

test('momentum: no overshoot at μ = 0, overshoot at 0.99, each sentence and the effective rate computed; the questions are graded by the paths', async () => {
  const p = await OptimizersPage.open(browser, server.url, 'step=3');
  try {
    await slide(p.page, 'opt-mu', 0);
    await p.page.waitForFunction(() => document.querySelector('[data-testid=opt-overshoot]').dataset.value === '0');
    assert.match(await p.text('opt-overshoot'), /never passes the minimum/);
    await slide(p.page, 'opt-mu', 0.99);
    await p.page.waitForFunction(() => Number(document.querySelector('[data-testid=opt-overshoot]').dataset.value) > 5);
    assert.match(await p.text('opt-overshoot'), /swings back/);
    assert.match(await p.page.textContent('[data-testid=opt-momentum]'), /0\.05 \/ \(1 − 0\.99\) = 5\.000/);
    for (let i = 0; i < 3; i++) await p.byId('lesson-next').click();
    // Question 1 is graded by the ratio of the page's own counts: "at least twice as fast" is right
    // exactly when gradient descent needed at least twice momentum's iterations.
    await p.byId('opt-q1-1').click();
    const q1 = p.byId('opt-q1-result');
    const gd = Number(await q1.getAttribute('data-a'));
    const hb = Number(await q1.getAttribute('data-b'));
    const ratio = Number(await q1.getAttribute('data-ratio'));
    assert.ok(gd > 0 && hb > 0 && Math.abs(ratio - gd / hb) < 1e-9, `${gd} / ${hb} = ${ratio}`);
    assert.equal(await q1.getAttribute('data-correct'), String(ratio >= 2), `ratio ${ratio}`);
    assert.ok(ratio > 4 && ratio < 8, `about 6× at κ = 100, not √κ = 10: ${ratio}`);
    assert.match(await p.text('opt-q1-result'), new RegExp(`Gradient descent ${gd} · Momentum ${hb}: momentum needed ${(gd / hb).toFixed(1)}× fewer iterations`));
    assert.match(await p.text('opt-q1-1'), /at least twice as fast/);
    assert.equal(await p.byId('opt-q1-1').getAttribute('data-right'), 'true');
    // A wrong answer marks the right option.
    await p.byId('opt-q2-0').click();
    assert.equal(await p.byId('opt-q2-result').getAttribute('data-correct'), 'false');
    assert.equal(await p.byId('opt-q2-1').getAttribute('data-right'), 'true');
    assert.equal(await p.byId('opt-q2-0').getAttribute('data-right'), 'false');
    assert.match(await p.text('opt-q2-1'), /^✓/);
    // The ratio and the crossings are named, not one bare "48×".
    const q2 = await p.text('opt-q2-result');
    const m = q2.match(/μ 0\.9 arrived \(stayed within 1\/1000 from then on\) at iteration (\d+), μ 0\.99 at (\d+) \((\d+\.\d)× as many\); they first came within 1\/1000 at (\d+) and (\d+), and swung out again before staying; before arriving, μ 0\.99's path crossed the minimum (\d+) times/);
    assert.ok(m, q2);
    assert.equal(m[3], (Number(m[2]) / Number(m[1])).toFixed(1));
    // Arrival is staying inside, not the first pass: both paths entered the ball earlier and left it.
    assert.ok(Number(m[4]) < Number(m[1]) && Number(m[5]) < Number(m[2]), q2);
  } finally { await p.close(); }
});

test('the lesson in Chinese, and settings out of range are named on the page and not used', async () => {
  const p = await OptimizersPage.open(browser, server.url, 'step=2&lang=zh&kappa=0&surface=moon');
  try {
    assert.match(await p.text('errors'), /kappa=0.*surface=moon|surface=moon.*kappa=0/);
    assert.equal(await p.value('opt-kappa'), '10');
    assert.match(await p.text('opt-verdict'), /这里动量比梯度下降需要的迭代次数更少/);
    await p.screenshot('optimizers-03-zh');
  } finally { await p.close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
