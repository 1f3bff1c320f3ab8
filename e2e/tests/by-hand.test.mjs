// "Backprop by hand" in Chromium (CPU engine): the seven backward lines typed and graded against the
// exact gradients of a live batch, the usual mistakes graded for what they are (a missing / B as wrong
// values, a transposed dW2 as a wrong shape naming both shapes, a syntax error with its position), the
// student's SGD step against the engine's own, the step's graph, the lines back after a reload, Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { ANSWERS, ByHandPage } from '../pages/by-hand.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const NAMES = Object.keys(ANSWERS);

test('by hand: the seven lines grade right, the usual mistakes are graded for what they are, the step matches the engine\'s and the lines come back after a reload', async () => {
  const bh = await ByHandPage.open(browser, server.url, 'step=2&engine=cpu&image=0');
  try {
    await bh.batch();
    assert.ok(await bh.byId('bh-graph').isVisible(), 'the step\'s graph is shown');
    // dz2 without / B: every entry B = 4 times too large, graded as wrong values (relative error 3).
    let g = await bh.type('dz2', 'dz2 = softmax(z2, 1) - onehot(y, 10)');
    assert.equal(g.state, 'values', g.text);
    assert.ok(Math.abs(g.error - 3) < 1e-6, `relative error ${g.error}`);
    // A syntax error shows where it is.
    g = await bh.type('dz2', 'dz2 = (softmax(z2, 1) - onehot(y, 10) / B');
    assert.equal(g.state, 'error', g.text);
    assert.match(g.text, /at character \d+/);
    assert.match(await bh.text('bh-caret-dz2'), /\^/);
    assert.ok(Number(await bh.value('bh-caret-dz2')) > 0);
    // A wrong line defines nothing: dW2 cannot use dz2 yet.
    g = await bh.type('dW2', 'dz2.T @ h');
    assert.equal(g.state, 'error', g.text);
    assert.match(g.text, /dz2/);
    // The seven correct lines, each right within 1e-5; the transposed dW2 names both shapes.
    for (const name of NAMES) {
      g = await bh.type(name, ANSWERS[name]);
      assert.equal(g.state, 'right', `${name}: ${g.text}`);
      assert.ok(g.error <= 1e-5, `${name}: relative error ${g.error}`);
      if (name === 'dW2') {
        const t = await bh.type('dW2', 'dW2 = h.T @ dz2');
        assert.equal(t.state, 'shape', t.text);
        assert.match(t.text, /expected \[10, 32\], got \[32, 10\]/);
        g = await bh.type('dW2', 'dz2.T @ h');
        assert.equal(g.state, 'right', `a bare expression is graded too: ${g.text}`);
      }
    }
    // Solved lines light their edges; a node shows its gradient once its line is right.
    assert.equal(await bh.byId('bh-edge-W2-z2').getAttribute('data-lit'), 'true');
    assert.equal(await bh.byId('bh-edge-x-z1').getAttribute('data-lit'), 'false');
    await bh.byId('bh-node-W1').click();
    await bh.byId('bh-node-gradient').waitFor();
    assert.equal(await bh.byId('bh-node-detail').getAttribute('data-node'), 'W1');
    // Hints: three levels, the third the line itself.
    for (let i = 0; i < 3; i++) await bh.byId('bh-hint-dh').click();
    assert.match(await bh.text('bh-hint-dh-3'), /dz2 @ W2/);
    await bh.screenshot('by-hand-01-lines');

    // A reload on the step that closes the loop: the lines come back, graded again on the same batch.
    await bh.page.goto(`${server.url}index.html?lesson=by-hand&step=3&engine=cpu&image=0`);
    await bh.page.waitForFunction(() => {
      const v = document.querySelector('[data-testid=bh-step-check]')?.dataset.value;
      return v !== undefined && v !== '';
    }, null, { timeout: 120_000 });
    const diff = await bh.number('bh-step-check');
    assert.ok(diff <= 1e-6, `the student's step against the engine's: largest difference ${diff}`);
    const before = await bh.number('bh-loss-before');
    const after = await bh.number('bh-loss-after');
    assert.ok(after < before, `the step lowers the batch's loss: ${before} → ${after}`);
    assert.ok(Math.abs(after - await bh.number('bh-loss-engine')) < 1e-5);
    const fd = await bh.page.$$eval('[data-testid^=bh-fd-]', (rows) => rows.map((r) => Number(r.dataset.value)));
    assert.equal(fd.length, 3);
    assert.ok(fd.every((r) => r < 1e-3), `finite differences: ${fd}`);
    await bh.screenshot('by-hand-02-loop');

    await bh.page.goto(`${server.url}index.html?lesson=by-hand&step=2&engine=cpu&image=0`);
    await bh.batch();
    for (const name of NAMES) {
      await bh.waitState(name, 'right');
      assert.equal(await bh.byId(`bh-line-${name}`).inputValue(), name === 'dW2' ? 'dz2.T @ h' : ANSWERS[name]);
    }
    assert.deepEqual(bh.consoleErrors, []);
  } finally { await bh.close(); }
});

test('by hand in Chinese: the steps, a wrong shape and a syntax error read in Chinese', async () => {
  const zh = await ByHandPage.open(browser, server.url, 'step=2&engine=cpu&lang=zh');
  try {
    await zh.batch();
    assert.equal(await zh.page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await zh.text('lesson-step-title'), /[\u4e00-\u9fff]/);
    await zh.type('dz2', ANSWERS.dz2);
    let g = await zh.type('dW2', 'h.T @ dz2');
    assert.equal(g.state, 'shape');
    assert.match(g.text, /形状不对：应为 \[10, 32\]，得到的是 \[32, 10\]/);
    g = await zh.type('db2', 'sum(dz2, 0');
    assert.equal(g.state, 'error');
    assert.match(g.text, /第 \d+ 个字符处/);
    await zh.screenshot('by-hand-03-chinese');
  } finally { await zh.close(); }
});

test('by hand, a variation: with tanh the ReLU mask is wrong values and 1 − h² is right; switching back regrades the lines', async () => {
  const bh = await ByHandPage.open(browser, server.url, 'step=2&engine=cpu&variant=tanh');
  try {
    await bh.batch();
    assert.equal(await bh.byId('bh-variant').inputValue(), '2');
    for (const name of ['dz2', 'dh']) assert.equal((await bh.type(name, ANSWERS[name])).state, 'right', name);
    let g = await bh.type('dz1', ANSWERS.dz1);
    assert.equal(g.state, 'values', g.text);
    g = await bh.type('dz1', 'dz1 = dh * (1 - h ** 2)');
    assert.equal(g.state, 'right', g.text);
    assert.ok(g.error <= 1e-5);
    // The article's network: the same line is now wrong, graded again without Enter.
    await bh.byId('bh-variant').selectOption('0');
    await bh.waitState('dz1', 'values');
    assert.equal((await bh.grade('dz2')).state, 'right');
    assert.doesNotMatch(bh.page.url(), /variant=/);
  } finally { await bh.close(); }
});

test('by hand on a phone: no sideways scrolling on any step', async () => {
  for (const step of [1, 2, 3]) {
    const p = await ByHandPage.open(browser, server.url, `step=${step}&engine=cpu`, { viewport: { width: 390, height: 844 } });
    try {
      await p.batch();
      const wide = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(wide <= 1, `step ${step}: ${wide}px wider than the screen`);
    } finally { await p.close(); }
  }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
