import { serve } from '/work/main/e2e/server.mjs';
import { launch, LessonPage } from '/work/main/e2e/lesson-page.mjs';
const server = await serve('/work/main/dist/');
const browser = await launch();
const lesson = await LessonPage.open(browser, server.url, '?engine=cpu&hidden=32&train=2000&test=500&batch=32&epochs=20&eval=60&lr=0.05');
lesson.page.on('console', (m) => console.log('console', m.type(), m.text().slice(0, 300)));
await lesson.engineKind();
await lesson.start();
await lesson.waitForAccuracyAbove(60, 120_000);
console.log('acc', await lesson.accuracy(), 'step', await lesson.stepCount());
await lesson.byId('lr').fill('10');
await lesson.byId('lr').dispatchEvent('change');
for (let i = 0; i < 10; i++) {
  await lesson.page.waitForTimeout(1000);
  console.log('step', await lesson.stepCount(), 'loss', await lesson.lossValue(), 'acc', await lesson.accuracy(), (await lesson.errors()).slice(0, 300));
}
await browser.close(); await server.close();
