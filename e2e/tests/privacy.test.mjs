// The privacy lesson in Chromium (CPU engine: the runs are small): the membership test on a model
// trained without privacy (held-out advantage and its no-leak floor), one DP-SGD lot taken apart, the
// privacy meter rising epoch by epoch to the accountant's value with the bound ε puts on any attack
// before any run, the two runs compared, the ε sweep while the page answers clicks, the answers kept
// while the student trains and graded after, the lesson in Chinese, bad URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { PrivacyPage, dpBound } from '../pages/privacy.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('a model remembers; DP-SGD: ε rises every epoch to the accountant\'s value for the steps taken, and the membership advantage is smaller than without it', async () => {
  const p = await PrivacyPage.open(browser, server.url, 'step=1&engine=cpu&epochs=12');
  try {
    await p.ready('mia-train-plain');
    // Predict, then run (B1): answer question 2 before any run; the answer waits for the runs.
    for (let i = 0; i < 5; i++) await p.next();
    await p.byId('privacy-q2-yes').click();
    await p.byId('privacy-q2-wait').waitFor();
    for (let i = 0; i < 5; i++) await p.prev();

    await p.byId('mia-train-plain').click();
    await p.byId('mia-advantage').waitFor({ timeout: 300_000 });
    const plain = await p.number('mia-advantage');
    const floor = await p.number('mia-floor');
    assert.equal(await p.byId('mia-advantage').getAttribute('data-held-out'), 'true', 'the threshold chosen on one half, the advantage measured on the other');
    assert.ok(floor > 0 && floor < 0.12, `the no-leak floor of 500 against 500 held-out images is a few hundredths: ${floor}`);
    assert.ok(plain > 0.1 && plain > floor, `the overfitted model gives its members away: advantage ${plain}, floor ${floor}`);
    assert.match(await p.text('mia-sentence'), /advantage of (only )?0\.\d\d, (above|within) the no-leak floor of 0\.\d\d/);
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
    // At σ > 0 the sentence is chosen by which is longer, and the ratio is printed; a longer sum helps
    // learning and leaves the protection as it is. At σ = 0 there is no noise and no protection.
    const ratio = Number(await p.byId('dp-lot-ratio').getAttribute('data-value'));
    assert.match(await p.text('dp-lot-sentence'), ratio > 1 ? /one step is mostly noise/ : /combined signal is longer than the noise, which helps learning\. That does not make this step less private/);
    await p.slide('dp-noise', 0);
    await p.byId('dp-take-lot').click();
    await p.page.waitForFunction(() => Number(document.querySelector('[data-testid=dp-lot-ratio]')?.dataset.value) < 1, null, { timeout: 60_000 });
    assert.match(await p.text('dp-lot-sentence'), /σ = 0: no noise at all, so this step has no protection\./);
    await p.slide('dp-noise', 1.5);

    await p.next();
    const forecast = await p.number('dp-epsilon-forecast');
    // Before any DP-SGD run the meter shows the bound the planned ε puts on any membership test, and eᵋ.
    const before = await p.bounds();
    assert.equal(before.length, 1, JSON.stringify(before));
    assert.equal(before[0][2], 'forecast');
    assert.equal(before[0][1], forecast);
    assert.ok(Math.abs(before[0][0] - dpBound(forecast)) < 1e-9, `${before[0][0]} = (eᵋ − 1 + 2δ)/(eᵋ + 1) at ε ${forecast}`);
    assert.ok(!(await p.text('dp-meter')).includes('^'), 'eᵋ is set as a superscript, not written e^ε');
    // σ = 0: the accountant has no ε; the meter says ∞ and why, never NaN, and shows no bound.
    await p.slide('dp-noise', 0);
    await p.byId('dp-forecast-no-guarantee').waitFor();
    assert.match(await p.text('dp-epsilon-forecast'), /^ε = ∞$/);
    assert.match(await p.text('dp-forecast-no-guarantee'), /σ = 0: clipping alone gives no privacy guarantee \(ε = ∞\)/);
    assert.ok(!(await p.text('dp-meter')).includes('NaN'));
    assert.equal((await p.bounds()).length, 0);
    await p.slide('dp-noise', 1.5);
    await p.byId('dp-forecast-bound').waitFor();
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
    // The run's measured advantage stands beside the bound its ε gives.
    await p.byId('dp-run-advantage').waitFor({ timeout: 60_000 });
    const afterRun = (await p.bounds()).filter(([, , of]) => of === 'run');
    assert.equal(afterRun.length, 1, 'the meter shows the DP run\'s advantage with its bound');
    assert.ok(Math.abs(afterRun[0][0] - dpBound(eps.at(-1)[2])) < 1e-9);
    await p.screenshot('privacy-03-meter');

    await p.next();
    await p.byId('dp-class-accuracy-9').waitFor({ timeout: 60_000 });
    const [a, b] = [await p.number('cost-advantage-plain'), await p.number('cost-advantage-private')];
    assert.ok(b < a, `the membership advantage is smaller with DP-SGD: ${b} vs ${a}`);
    const cost = await p.text('dp-cost-sentence');
    assert.match(cost, /the attack measures a lower bound on what leaks, ε gives an upper bound/);
    assert.match(cost, /(Digits that lose more than 2.8 times their standard error \(≈ \d+ points; 2.8, not 2, because ten digits are tested at once\): \d(, \d)*\.|No digit loses more than 2.8 times its standard error)/);
    // Accuracy against ε: three DP-SGD runs at the σ the accountant picks for ε ≈ 1, 3 and 8, one
    // epoch per burst in the worker; the page answers a click within 200 ms while they run (B4).
    await p.byId('dp-sweep').click();
    await p.byId('dp-sweep-progress').waitFor({ timeout: 60_000 });
    assert.match(await p.text('dp-sweep-progress'), /^run [123]\/3, epoch \d+\/12$/);
    const latencies = [];
    while (latencies.length < 8 && await p.byId('dp-sweep-progress').count() > 0) {
      latencies.push(await p.clickTimed('lesson-next'));
      latencies.push(await p.clickTimed('lesson-prev'));
      await p.page.waitForTimeout(100);
    }
    assert.ok(latencies.length >= 2, 'clicked while the sweep ran');
    assert.ok(Math.max(...latencies) < 200, `each click answered within 200 ms while the sweep ran: ${latencies.map(Math.round)}`);
    await p.page.waitForFunction(() => document.querySelectorAll('[data-testid=dp-sweep-row]').length === 3, null, { timeout: 300_000 });
    const sweep = await p.page.$$eval('[data-testid=dp-sweep-row]', (rows) => rows.map((r) => [Number(r.dataset.epsilon), Number(r.dataset.accuracy), Number(r.querySelector('[data-testid=dp-bound]')?.dataset.value)]));
    sweep.forEach(([e], i) => assert.ok(Math.abs(e - [1, 3, 8][i]) < 0.02, `run ${i + 1} spent ε = ${e}`));
    assert.ok(sweep.every(([, a]) => a > 0.1 && a <= 1), JSON.stringify(sweep));
    // Beside every DP run's advantage (the compared run and each of the sweep's), the bound of its ε.
    sweep.forEach(([e, , bound]) => assert.ok(Math.abs(bound - dpBound(e)) < 1e-9, `ε ${e}: bound ${bound}`));
    assert.equal((await p.bounds()).length, 4);
    await p.byId('dp-sweep-sentence').waitFor();
    // "More privacy, less accuracy" only when ε ≈ 8's accuracy beats ε ≈ 1's by more than two standard
    // errors of the difference on the 2,000 test images.
    const sweepSentence = p.byId('dp-sweep-sentence');
    const sweepBand = Number(await sweepSentence.getAttribute('data-band'));
    const [p1, p8] = [sweep[0][1], sweep[2][1]];
    assert.ok(Math.abs(sweepBand - 2 * Math.sqrt((p1 * (1 - p1) + p8 * (1 - p8)) / 2000)) < 1e-6, `band ${sweepBand}`);
    assert.equal(await sweepSentence.getAttribute('data-rises'), String(p8 - p1 > sweepBand));
    assert.match(await sweepSentence.textContent(), p8 - p1 > sweepBand ? /^More privacy, less accuracy/ : /within the runs' noise/);
    await p.screenshot('privacy-04-cost');

    await p.next();
    assert.match(await p.text('encryption'), /homomorphic|Paillier/);
    await p.next();
    await p.byId('privacy-q1-2').click();
    // Graded by the accountant's two values it prints: "drops below half" is right when ε(2σ)/ε(σ) < 0.45.
    const q1 = await p.text('privacy-q1-result');
    const q1Result = p.byId('privacy-q1-result');
    const [e1, e2] = [...q1.matchAll(/ε = ([\d.]+)/g)].map((m) => Number(m[1]));
    const q1Ratio = Number(await q1Result.getAttribute('data-ratio'));
    assert.ok(Math.abs(e2 / e1 - q1Ratio) < 0.02, `${e2} / ${e1} ≈ ${q1Ratio}`);
    const q1Correct = await q1Result.getAttribute('data-correct');
    assert.equal(q1Correct, String(q1Ratio < 0.45), q1);
    assert.deepEqual([await q1Result.getAttribute('data-noise'), await q1Result.getAttribute('data-lot'), await q1Result.getAttribute('data-epochs')], ['1.5', '50', '12']);
    // Graded at the settings it was answered at: moving σ afterwards changes neither grade nor ratio.
    for (let i = 0; i < 3; i++) await p.prev();
    await p.slide('dp-noise', 4);
    for (let i = 0; i < 3; i++) await p.next();
    assert.equal(await q1Result.getAttribute('data-noise'), '1.5');
    assert.equal(Number(await q1Result.getAttribute('data-ratio')), q1Ratio);
    assert.equal(await q1Result.getAttribute('data-correct'), q1Correct);
    // Question 2 was answered before the runs: still chosen, and graded now that they exist, with a band.
    assert.equal(await p.byId('privacy-q2-yes').evaluate((el) => el.classList.contains('chosen')), true, 'the answer was kept');
    const q2 = p.byId('privacy-q2-result');
    const band = Number(await q2.getAttribute('data-band'));
    assert.ok(band > 0.02 && band < 0.2, `two standard errors of the difference: ${band}`);
    assert.equal(await q2.getAttribute('data-correct'), String(a - b > band), `${a} → ${b}, ±${band}`);
    assert.equal(await p.errors(), '');
    // A reload shows the same runs again, from this browser, and the answers with them; "Start afresh"
    // forgets them.
    await p.page.reload();
    await p.byId('privacy-resumed').waitFor({ timeout: 120_000 });
    await p.byId('privacy-q2-result').waitFor({ timeout: 60_000 });
    await p.byId('privacy-q1-result').waitFor();
    assert.equal(await p.byId('privacy-q1-result').getAttribute('data-noise'), '1.5', 'the frozen settings were kept with the answer');
    await p.byId('lesson-prev').click();
    await p.byId('lesson-prev').click();
    await p.byId('cost-advantage-plain').waitFor({ timeout: 120_000 });
    assert.equal(await p.number('cost-advantage-plain'), a);
    assert.equal(await p.number('cost-advantage-private'), b);
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
    // Before any run: the bound the planned ε puts on any membership test, a number, beside eᵋ.
    const [[bound, eps, of]] = await p.bounds();
    assert.equal(of, 'forecast');
    assert.ok(Math.abs(bound - dpBound(eps)) < 1e-9 && eps === await p.number('dp-epsilon-forecast'), `${bound} at ε ${eps}`);
    assert.ok(Math.abs(await p.number('exp-epsilon') - Math.exp(eps)) < 1e-6 * Math.exp(eps));
    await p.screenshot('privacy-zh-meter');
  } finally { await p.page.context().close(); }
});

test('full-MNIST mode: the setup line says the outsiders come from the test split', async () => {
  const p = await PrivacyPage.open(browser, server.url, 'step=1&engine=cpu&members=60000');
  try {
    await p.byId('mia-setup').waitFor({ timeout: 180_000 });
    const setup = await p.text('mia-setup');
    assert.match(setup, /^60000 member images \(trained on\) · 1000 outsider images \(from the test split, never trained on\)/, setup);
  } finally { await p.page.context().close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
