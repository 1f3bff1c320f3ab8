// Class mode against `backprop-lab serve --class` on loopback: a teacher starts a class, three students
// join by its URL, each trains "Train a network" for a short run with their own learning rate, and the
// teacher's dashboard shows the three of them, three points on the learning-rate chart, and a CSV whose
// rows are the students' own final figures; "assign settings" reaches the students' forms; the server
// killed with SIGKILL and restarted on its data folder still has every acknowledged figure, and the
// pages reconnect by themselves and go on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, problems } from '../pages/base.mjs';
import { TeacherPage, StudentPage, parseCsv } from '../pages/class.mjs';
import { serveClass } from '../class.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const DATA = mkdtempSync(join(tmpdir(), 'bpl-class-'));
const SMALL = 'engine=cpu&hidden=16&train=1000&test=200&batch=32&epochs=1&eval=10';
const RATES = [0.02, 0.05, 0.1];
let server, browser;

before(async () => { server = await serveClass(DIST, DATA); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Console errors other than the browser's own lines about a socket that could not connect. */
const realErrors = (page) => page.consoleErrors.filter((e) => !/WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(e));

test('a class of three: join, train, the dashboard and the CSV show their figures; assign settings reaches their forms; a killed server loses nothing', async () => {
  assert.match(server.teacher, /\?page=class&token=/);
  const teacher = await TeacherPage.open(browser, server.teacher);
  const students = [];
  try {
    const { code, joinUrl } = await teacher.startClass();
    assert.match(code, /^[A-Z2-9]{6}$/);
    assert.ok(joinUrl.includes(`class=${code}`), joinUrl);
    assert.equal(await teacher.byId('class-qr').locator('svg, img, canvas').count() > 0 || (await teacher.byId('class-qr').evaluate((e) => e.tagName.toLowerCase())) === 'svg', true);
    await teacher.screenshot('class-01-started');

    // Three students join by the URL the teacher shows.
    const names = [];
    for (let i = 0; i < 3; i++) {
      const s = await StudentPage.open(browser, joinUrl.replace(/^https?:\/\/[^/]+\//, server.url));
      students.push(s);
      names.push(await s.join());
    }
    assert.equal(new Set(names).size, 3, `distinct pseudonyms: ${names}`);
    await teacher.waitForStudents(3);
    assert.equal(await teacher.byId('class-student').count(), 3);

    // Each trains the recipe for a short run at their own learning rate.
    const figures = await Promise.all(students.map(async (s, i) => {
      await s.openTrain(server.url, `${SMALL}&lr=${RATES[i]}`);
      return s.trainToTheEnd();
    }));
    await students[0].screenshot('class-02-student');
    await teacher.waitForPoints(3);
    await teacher.screenshot('class-03-dashboard');

    // The CSV export: one finished run per student, with the student's own test figure.
    const rows = parseCsv(await teacher.exportCsv());
    const key = (row, re) => row[Object.keys(row).find((k) => re.test(k))];
    const finished = rows.filter((r) => key(r, /test/) !== '' && key(r, /test/) !== undefined);
    assert.equal(finished.length, 3, JSON.stringify(rows));
    for (let i = 0; i < 3; i++) {
      const row = finished.find((r) => key(r, /pseudonym/) === names[i]);
      assert.ok(row, `a row for ${names[i]}: ${JSON.stringify(finished)}`);
      assert.ok(Math.abs(Number(key(row, /test/)) - figures[i]) < 1e-6, `${names[i]}: ${key(row, /test/)} vs ${figures[i]}`);
      assert.ok(Math.abs(Number(key(row, /^lr$|learning/)) - RATES[i]) < 1e-9, `${names[i]}'s lr: ${JSON.stringify(row)}`);
    }

    // Assign settings: learning rates 0.001 … 10, log-evenly in join order, land in the students' forms.
    await teacher.byId('class-assign-lr').click();
    const assigned = [0.001, 0.1, 10];
    for (let i = 0; i < 3; i++) {
      await students[i].page.waitForFunction((want) => Number(document.querySelector('[data-testid=lr]')?.value) === want, assigned[i], { timeout: 30_000 });
    }

    // The server is killed and restarted on the same folder and port: everything acknowledged is there,
    // and the students' pages reconnect by themselves and send their next run.
    const { port } = server;
    await server.kill();
    server = await serveClass(DIST, DATA, { port });
    // The teacher's page reopens the class it had (the code is kept in this browser) after a reload.
    await teacher.page.reload();
    await teacher.byId('class-code').waitFor({ timeout: 60_000 });
    await teacher.waitForStudents(3);
    await teacher.waitForPoints(3);
    for (const s of students) await s.page.waitForFunction(() => /connected|已连接/.test(document.querySelector('[data-testid=class-joined]')?.textContent ?? ''), null, { timeout: 60_000 });
    await students[0].byId('reset').click();
    await students[0].trainToTheEnd();
    // Four runs in the class; the chart's default filter shows each student's latest: still three dots.
    await teacher.waitForRuns(4);
    await teacher.waitForPoints(3);
    const after = parseCsv(await teacher.exportCsv());
    assert.equal(after.filter((r) => key(r, /pseudonym/) === names[0]).length, 2, 'the first student\'s two runs');

    for (const p of [teacher, ...students]) assert.deepEqual(realErrors(p), []);
  } finally {
    for (const s of students) await s.close();
    await teacher.close();
  }
  assert.deepEqual(problems(browser), []);
});
