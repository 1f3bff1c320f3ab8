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

test('at κ = 100 momentum needs at least 5× fewer iterations than gradient descent, both within 20 % of the closed form; a start clicked on the map moves both', async () => {
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
    assert.match(await p.text('opt-verdict'), /Tick gradient descent and momentum/);
    for (const id of ['nesterov', 'adagrad', 'rmsprop', 'adamw']) await p.enable(id);
    for (const id of ['nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw']) {
      assert.notEqual(await p.text(`opt-iterations-${id}`), '–', `${id} ran`);
    }
    await p.byId('opt-surface-choice').selectOption('rosenbrock');
    await p.page.waitForFunction(() => new URLSearchParams(location.search).get('surface') === 'rosenbrock');
    assert.equal(await p.byId('opt-kappa').count(), 0, 'κ belongs to the quadratic only');
    assert.equal(await p.byId('opt-theory-gd').count(), 0, 'no closed form off the quadratic');
    // Rosenbrock's curved valley: Adam gets there, plain gradient descent at 1e-3 does not in 3,000 steps.
    assert.ok(await p.iterations('adam') > 0, 'Adam reaches the minimum');
    assert.match(await p.text('opt-iterations-gd'), /not within 3000/);
    await p.screenshot('optimizers-02-rosenbrock');
    for (const s of ['saddle', 'beale']) {
      await p.byId('opt-surface-choice').selectOption(s);
      await p.page.waitForFunction((v) => new URLSearchParams(location.search).get('surface') === v, s);
      assert.notEqual(await p.text('opt-iterations-adam'), '–', `${s}: Adam ran`);
    }
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
    await p.byId('opt-q1-1').click();
    assert.equal(await p.byId('opt-q1-result').getAttribute('data-correct'), 'true');
    await p.byId('opt-q2-0').click();
    assert.equal(await p.byId('opt-q2-result').getAttribute('data-correct'), 'false');
    assert.match(await p.text('opt-q2-result'), /μ 0\.9: \d+ · μ 0\.99: \d+/);
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
