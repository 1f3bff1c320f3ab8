// The privacy lesson in Chromium (CPU engine: the runs are small): the membership test on a model
// trained without privacy, one DP-SGD lot taken apart, the privacy meter rising epoch by epoch to the
// accountant's value, the two runs compared, the questions graded, the lesson in Chinese, bad URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { PrivacyPage } from '../pages/privacy.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('a model remembers; DP-SGD: ε rises every epoch to the accountant\'s value for the steps taken, and the membership advantage is smaller than without it', async () => {
  const p = await PrivacyPage.open(browser, server.url, 'step=1&engine=cpu&epochs=12');
  try {
    await p.ready('mia-train-plain');
    await p.byId('mia-train-plain').click();
    await p.byId('mia-advantage').waitFor({ timeout: 300_000 });
    const plain = await p.number('mia-advantage');
    assert.ok(plain > 0.1, `the overfitted model gives its members away: advantage ${plain}`);
    assert.match(await p.text('mia-sentence'), /advantage of (only )?0\.\d\d/);
    await p.screenshot('privacy-01-remembers');

    await p.next();
    await p.byId('dp-take-lot').click();
    await p.byId('dp-norm-histogram').waitFor({ timeout: 60_000 });
    const rows = Number(await p.text('dp-lot-rows'));
    assert.ok(rows > 20 && rows < 90, `a Poisson lot around L = 50: ${rows}`);
    const clipped = p.byId('dp-lot-clipped');
    assert.equal(await clipped.getAttribute('data-value'), await clipped.getAttribute('data-above'));
    const noise = p.byId('dp-lot-noise');
    const [n, expected] = [Number(await noise.getAttribute('data-value')), Number(await noise.getAttribute('data-expected'))];
    assert.ok(Math.abs(n / expected - 1) < 0.05, `‖noise‖ ${n} ≈ σ·C·√d = ${expected}`);

    await p.next();
    const forecast = await p.number('dp-epsilon-forecast');
    await p.recordEpsilon();
    await p.byId('dp-train').click();
    await p.page.waitForFunction(() => document.querySelector('[data-testid=dp-epsilon]')?.dataset.epoch === '12', null, { timeout: 300_000 });
    const eps = await p.recorded();
    assert.ok(eps.length >= 6, `ε seen after ${eps.length} epochs`);
    for (let i = 1; i < eps.length; i++) assert.ok(eps[i][2] > eps[i - 1][2], `ε rises: ${JSON.stringify(eps)}`);
    for (const [epoch, steps] of eps) assert.equal(steps, 20 * epoch, 'round(1000 / 50) lots an epoch');
    assert.equal(eps.at(-1)[2], forecast, 'the run ends at the forecast for its steps');
    // The forecast for fewer epochs is the accountant's ε at those steps: each epoch's live value equals it.
    for (const [epoch, , value] of eps.filter((_, i) => i % 3 === 0)) {
      await p.slide('dp-epochs', epoch);
      assert.equal(await p.number('dp-epsilon-forecast'), value, `epoch ${epoch}`);
    }
    await p.slide('dp-epochs', 12);
    await p.screenshot('privacy-03-meter');

    await p.next();
    await p.byId('dp-class-accuracy-9').waitFor({ timeout: 60_000 });
    const [a, b] = [Number(await p.text('cost-advantage-plain')), Number(await p.text('cost-advantage-private'))];
    assert.ok(b < a, `the membership advantage is smaller with DP-SGD: ${b} vs ${a}`);
    assert.match(await p.text('dp-cost-sentence'), /The digits that lose most: \d and \d\./);
    // Accuracy against ε: three DP-SGD runs at the σ the accountant picks for ε ≈ 1, 3 and 8.
    await p.byId('dp-sweep').click();
    await p.page.waitForFunction(() => document.querySelectorAll('[data-testid=dp-sweep-row]').length === 3, null, { timeout: 300_000 });
    const sweep = await p.page.$$eval('[data-testid=dp-sweep-row]', (rows) => rows.map((r) => [Number(r.dataset.epsilon), Number(r.dataset.accuracy)]));
    sweep.forEach(([e], i) => assert.ok(Math.abs(e - [1, 3, 8][i]) < 0.02, `run ${i + 1} spent ε = ${e}`));
    assert.ok(sweep.every(([, a]) => a > 0.1 && a <= 1), JSON.stringify(sweep));
    await p.byId('dp-sweep-sentence').waitFor();
    await p.screenshot('privacy-04-cost');

    await p.next();
    assert.match(await p.text('encryption'), /homomorphic|Paillier/);
    await p.next();
    await p.byId('privacy-q1-2').click();
    // Graded by the accountant's two values it prints: "falls to less than half" is right when ε(2σ)/ε(σ) < 0.45.
    const q1 = await p.text('privacy-q1-result');
    const [e1, e2] = [...q1.matchAll(/ε = ([\d.]+)/g)].map((m) => Number(m[1]));
    assert.equal(await p.byId('privacy-q1-result').getAttribute('data-correct'), String(e2 / e1 < 0.45), q1);
    await p.byId('privacy-q2-yes').click();
    assert.equal(await p.byId('privacy-q2-result').getAttribute('data-correct'), 'true');
    assert.equal(await p.errors(), '');
    // A reload shows the same runs again, from this browser; "Start afresh" forgets them.
    await p.page.reload();
    await p.byId('privacy-resumed').waitFor({ timeout: 120_000 });
    await p.byId('lesson-prev').click();
    await p.byId('lesson-prev').click();
    await p.byId('cost-advantage-plain').waitFor({ timeout: 120_000 });
    assert.equal(Number(await p.text('cost-advantage-plain')), a);
    assert.equal(Number(await p.text('cost-advantage-private')), b);
    assert.equal(await p.page.$$eval('[data-testid=dp-sweep-row]', (r) => r.length), 3);
    assert.ok(!(await p.byId('dp-sweep').isDisabled()), 'nothing runs after a reload');
    await p.byId('privacy-afresh').click();
    await p.byId('privacy-resumed').waitFor({ state: 'detached' });
    assert.equal(await p.byId('cost-advantage-plain').count(), 0);
    await p.page.reload();
    await p.byId('dp-sweep').waitFor();
    await p.page.waitForTimeout(1500);
    assert.equal(await p.byId('privacy-resumed').count(), 0, 'forgotten for good');
    assert.deepEqual(p.consoleErrors, []);
  } finally { await p.page.context().close(); }
});

test('the lesson in Chinese, and settings out of range are named on the page and not used', async () => {
  const p = await PrivacyPage.open(browser, server.url, 'step=3&engine=cpu&lang=zh&lot=5&noise=9&members=5');
  try {
    await p.byId('dp-epsilon-forecast').waitFor();
    assert.match(await p.errors(), /lot=5/);
    assert.match(await p.errors(), /members=5/);
    assert.match(await p.errors(), /noise=9/);
    assert.equal(await p.byId('dp-lot').inputValue(), '50', 'the default lot');
    assert.match(await p.text('lesson-title'), /隐私/);
    await p.screenshot('privacy-zh-meter');
  } finally { await p.page.context().close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
