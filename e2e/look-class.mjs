// Screenshots of class mode as a teacher and a student see it (not a test): `serve --class` on
// loopback, a teacher and three students who each train a short run, then the dashboard at 1366×768
// (English and Chinese, anonymised), presenter mode at 1280×720 and a student's page at 390×844.
// Usage: node look-class.mjs [OUT_DIR]   (the release binary and dist/ must be built)
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './pages/base.mjs';
import { TeacherPage, StudentPage } from './pages/class.mjs';
import { serveClass } from './class.mjs';

const OUT = process.argv[2] ?? fileURLToPath(new URL('./artifacts/look-class/', import.meta.url));
mkdirSync(OUT, { recursive: true });
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const server = await serveClass(DIST, mkdtempSync(join(tmpdir(), 'bpl-look-class-')));
const browser = await launch();
const shot = (p, name) => p.page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
try {
  const teacher = await TeacherPage.open(browser, server.teacher);
  const { joinUrl } = await teacher.startClass();
  const local = joinUrl.replace(/^https?:\/\/[^/]+\//, server.url);
  const phone = await StudentPage.open(browser, local, { viewport: { width: 390, height: 844 } });
  await shot(phone, 'student-390-before-join');
  await phone.join();
  const students = [phone];
  for (let i = 0; i < 2; i++) { const s = await StudentPage.open(browser, local); await s.join(); students.push(s); }
  await Promise.all(students.map(async (s, i) => {
    await s.openTrain(server.url, `engine=cpu&hidden=16&train=1000&test=200&batch=32&epochs=1&eval=10&lr=${[0.02, 0.5, 8][i]}`);
    return s.trainToTheEnd().catch(() => null);
  }));
  await teacher.page.waitForTimeout(1500);
  await shot(teacher, 'teacher-1366x768');
  await shot(phone, 'student-390-train');
  await teacher.byId('class-assign-lr').click();
  await phone.page.waitForTimeout(1500);
  await shot(phone, 'student-390-assigned');
  await teacher.page.goto(`${server.teacher}&lang=zh`);
  await teacher.byId('class-code').waitFor();
  await teacher.page.waitForTimeout(1500);
  await shot(teacher, 'teacher-1366x768-zh');
  await teacher.page.setViewportSize({ width: 1280, height: 720 });
  await teacher.page.goto(`${server.teacher}&present=1`);
  await teacher.byId('class-code').waitFor();
  await teacher.byId('class-anonymise').check().catch(() => {});
  await teacher.page.waitForTimeout(1000);
  await teacher.page.screenshot({ path: join(OUT, 'teacher-presenter-1280x720-first-screen.png') });
  await shot(teacher, 'teacher-presenter-1280x720');
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await server.close();
}
