// Offline classrooms: after one visit the app loads and trains with the network off (service worker),
// and the web app manifest is served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems } from '../pages/base.mjs';
import { LessonPage } from '../pages/train.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SMALL = 'hidden=32&train=2000&test=500&batch=32&epochs=3&eval=60&lr=0.05';
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('after one visit, a reload with the network off loads the app and trains', async () => {
  const context = await browser.newContext({ serviceWorkers: 'allow', viewport: { width: 1366, height: 900 } });
  const lesson = new LessonPage(await context.newPage());
  try {
    await lesson.page.goto(`${server.url}index.html?lesson=train&step=4&engine=cpu&${SMALL}`);
    await lesson.engineKind();
    await lesson.waitForData();
    // The service worker took control of this first visit; the data the lesson loaded is cached.
    await lesson.page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 60_000 });
    const manifest = await lesson.page.evaluate(async () => (await fetch('manifest.webmanifest')).json());
    assert.equal(manifest.name, 'Backprop Lab');
    await context.setOffline(true);
    await lesson.page.reload();
    await lesson.engineKind();
    await lesson.waitForData();
    await lesson.start();
    await lesson.waitForAccuracyAbove(50, 120_000);
    assert.equal(await lesson.errors(), '');
    // Another lesson's page (same document, other query) also opens offline.
    await lesson.page.goto(`${server.url}index.html?lesson=cross-entropy&lang=zh`);
    await lesson.page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]') !== null, null, { timeout: 60_000 });
    await lesson.screenshot('11-offline');
    assert.deepEqual(lesson.consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
  } finally { await context.close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
