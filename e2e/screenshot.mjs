// Regenerates docs/lesson.png, the README's screenshot: `node e2e/screenshot.mjs` after `trunk build --release`.
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';
import { launch } from './pages/base.mjs';
import { LessonPage } from './pages/train.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = fileURLToPath(new URL('../docs/lesson.png', import.meta.url));
const server = await serve(dist);
const browser = await launch();
try {
  const lesson = await LessonPage.open(browser, server.url, '?engine=gpu&hidden=64&train=6000&test=1000&batch=32&epochs=2&eval=60&lr=0.05');
  await lesson.engineKind();
  await lesson.waitForData();
  await lesson.start();
  await lesson.waitForAccuracyAbove(85, 300_000);
  await lesson.page.waitForTimeout(4000);
  await lesson.drawDigitOne();
  await lesson.page.waitForFunction(() => /The model says/.test(document.querySelector('[data-testid=prediction]').textContent));
  await lesson.byId('cell-4-9').click();
  await lesson.page.waitForTimeout(500);
  await lesson.page.evaluate(() => window.scrollTo(0, 0));
  await lesson.page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
