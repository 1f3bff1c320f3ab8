// The screenshot pass a person looks at before a lesson's text is called done: every lesson's main steps
// at 1366×900 (English and Chinese), in presenter mode at 1280×720 and on a phone at 390×844 (both
// languages), and "Train a network" again after a minute of training. Writes e2e/artifacts/look/*.png
// (the first screen of each; a full page at 1366×900 English) and prints their names.
//   node e2e/look.mjs            (after `trunk build --release`)
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';
import { launch } from './pages/base.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = fileURLToPath(new URL('./artifacts/look/', import.meta.url));
// Each lesson's steps worth a look (the CPU engine: this is about what a reader sees).
const LESSONS = [
  ['train', [1, 4, 5, 6, 7]],
  ['cross-entropy', [2, 3]],
  ['chain-rule', [2, 3]],
  ['by-hand', [1, 2, 3]],
  ['finetune', [2, 4, 5]],
  ['optimizers', [2, 4]],
  ['interpret', [5, 7]],
  ['privacy', [2, 4]],
];
const VIEWS = [
  ['desk', { width: 1366, height: 900 }, '', true],
  ['desk-zh', { width: 1366, height: 900 }, '&lang=zh', false],
  ['present', { width: 1280, height: 720 }, '&present=1', false],
  ['phone', { width: 390, height: 844 }, '', false],
  ['phone-zh', { width: 390, height: 844 }, '&lang=zh', false],
];

await mkdir(out, { recursive: true });
const server = await serve(dist);
const browser = await launch();
const shots = [];
async function shot(page, name, fullPage = false) {
  const path = `${out}${name}.png`;
  await page.screenshot({ path, fullPage });
  shots.push(name);
}
try {
  for (const [lesson, steps] of LESSONS) {
    for (const step of steps) {
      for (const [view, viewport, extra, full] of VIEWS) {
        const ctx = await browser.newContext({ viewport });
        const page = await ctx.newPage();
        const setup = lesson === 'finetune' ? '&scenario=pen&test=100' : '';
        await page.goto(`${server.url}index.html?lesson=${lesson}&step=${step}&engine=cpu${setup}${extra}`);
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(1500);
        await shot(page, `${lesson}-${step}-${view}`);
        if (full) await shot(page, `${lesson}-${step}-${view}-full`, true);
        await ctx.close();
      }
    }
  }
  // A minute of training, then the dashboard again (English and Chinese, desk and phone).
  for (const [view, viewport, extra] of [VIEWS[0], VIEWS[1], VIEWS[4]]) {
    const ctx = await browser.newContext({ viewport });
    const page = await ctx.newPage();
    await page.goto(`${server.url}index.html?lesson=train&step=4&engine=cpu${extra}`);
    await page.getByTestId('start').click();
    await page.waitForTimeout(60_000);
    await shot(page, `train-4-after-a-minute-${view}`, true);
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(shots.join('\n'));
