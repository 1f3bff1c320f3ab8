// Page objects of class mode: the teacher's dashboard (`?page=class&token=…`) and a student's page in a
// class (any page with the class bar). Every selector is a data-testid named by the class-mode issue.
import { BasePage } from './base.mjs';

export class TeacherPage extends BasePage {
  /** Opens the teacher's URL that `serve --class` printed, in a context of its own. */
  static async open(browser, teacherUrl, { viewport = { width: 1366, height: 768 } } = {}) {
    const context = await browser.newContext({ viewport });
    const page = new TeacherPage(await context.newPage());
    await page.page.goto(teacherUrl);
    return page;
  }

  /** Starts a class; resolves with its code and join URL. */
  async startClass() {
    await this.byId('class-start').click();
    await this.byId('class-code').waitFor({ timeout: 30_000 });
    await this.page.waitForFunction(() => /\S/.test(document.querySelector('[data-testid=class-join-url]')?.textContent ?? ''), null, { timeout: 30_000 });
    return { code: await this.text('class-code'), joinUrl: await this.text('class-join-url') };
  }

  async studentCount() { return Number(await this.value('class-student-count')); }
  async waitForStudents(n, timeout = 60_000) {
    await this.page.waitForFunction((k) => Number(document.querySelector('[data-testid=class-student-count]')?.dataset.value) === k, n, { timeout });
  }
  async waitForPoints(n, timeout = 120_000) {
    await this.page.waitForFunction((k) => Number(document.querySelector('[data-testid=class-lr-accuracy]')?.dataset.points) === k, n, { timeout });
  }
  /** Waits until the learning-rate chart counts `n` Train runs (every run, whatever the chart's filter). */
  async waitForRuns(n, timeout = 120_000) {
    await this.page.waitForFunction((k) => Number(document.querySelector('[data-testid=class-lr-accuracy]')?.dataset.runs) === k, n, { timeout });
  }
  /** The CSV export's text, fetched the way the link would download it. */
  async exportCsv() {
    const href = await this.byId('class-export-csv').getAttribute('href');
    return this.page.evaluate(async (h) => (await fetch(h)).text(), href);
  }
}

export class StudentPage extends BasePage {
  /** Opens `url` (a join URL, or a lesson's URL in the class) in a new context of `browser`. */
  static async open(browser, url, { viewport = { width: 1366, height: 900 } } = {}) {
    const context = await browser.newContext({ viewport });
    const page = new StudentPage(await context.newPage());
    await page.page.goto(url);
    return page;
  }

  /** Joins (clicking `class-join` where the page asks for a click); resolves with the pseudonym. */
  async join() {
    const join = this.byId('class-join');
    await Promise.race([join.waitFor({ timeout: 30_000 }), this.byId('class-joined').waitFor({ timeout: 30_000 })]);
    if (await join.count()) await join.click();
    await this.byId('class-joined').waitFor({ timeout: 30_000 });
    return this.text('class-pseudonym');
  }

  /** Opens "Train a network" in this student's context with `setup`, keeping the class. */
  async openTrain(baseUrl, setup) {
    await this.page.goto(`${baseUrl}index.html?lesson=train&step=4&${setup}`);
    await this.byId('class-joined').waitFor({ timeout: 30_000 });
    await this.byId('engine-kind').waitFor({ timeout: 120_000 });
  }

  /** Starts the run and waits for its one test figure; resolves with it. */
  async trainToTheEnd(timeout = 240_000) {
    await this.byId('start').click();
    const test = this.byId('test-accuracy-final');
    await test.waitFor({ timeout });
    return Number(await test.getAttribute('data-value'));
  }
}

/** CSV text → array of objects keyed by the header row (RFC 4180 quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = ''; if (row.some((f) => f !== '')) rows.push(row); row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}
