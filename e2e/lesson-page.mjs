// Page object of the "Train a network" lesson: every selector is a data-testid.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;

/**
 * Chromium with WebGPU. Every context it opens watches for content-security-policy violations and for
 * requests that leave the page's origin; each test file's `after` asserts `problems(browser)` is empty.
 * A context opened with `bypassCSP` (the accessibility scan injects axe-core) is not watched for CSP.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const found = [];
  const open = browser.newContext.bind(browser);
  browser.newContext = async (options = {}) => {
    // The service worker would answer the app's requests from its caches, out of reach of the routes
    // that tests use to fail or delay them: it runs only where a test asks for it (the offline test).
    const context = await open({ serviceWorkers: 'block', ...options });
    if (!options.bypassCSP) await context.exposeBinding('__cspViolation', (_, text) => found.push(`CSP violation: ${text}`));
    if (!options.bypassCSP) await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    context.on('request', (r) => {
      const url = new URL(r.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '127.0.0.1') {
        found.push(`request off the origin: ${r.url()}`);
      }
    });
    return context;
  };
  browser.problems = found;
  return browser;
}

/** CSP violations and off-origin requests seen by every context of `browser` so far. */
export function problems(browser) { return browser?.problems ?? []; }

export class LessonPage {
  constructor(page) {
    this.page = page;
    this.consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') this.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  /** Opens the lesson; `prepare(context)` runs first (routes that fail or delay requests). */
  static async open(browser, baseUrl, query, prepare) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await prepare?.(context);
    const lesson = new LessonPage(await context.newPage());
    // The shell opens this lesson by `lesson=train`; the rest of the query is the lesson's setup.
    const setup = query.startsWith('?') ? query.slice(1) : query;
    await lesson.page.goto(`${baseUrl}index.html?lesson=train${setup ? `&${setup}` : ''}`);
    return lesson;
  }

  byId(id) { return this.page.getByTestId(id); }
  async text(id) { return (await this.byId(id).textContent())?.trim() ?? ''; }
  async engineKind() { await this.byId('engine-kind').waitFor({ timeout: 120_000 }); return this.text('engine-kind'); }
  async stepCount() { return Number(await this.text('step-count')); }
  async accuracy() { const t = await this.text('accuracy'); return t.includes('%') ? parseFloat(t) : NaN; }
  async lossValue() { return this.byId('loss').getAttribute('data-value'); }
  async lossTrend() {
    const el = this.byId('loss');
    return { first: Number(await el.getAttribute('data-first')), recent: Number(await el.getAttribute('data-recent')) };
  }
  async errors() { return (await this.byId('errors').textContent())?.trim() ?? ''; }

  async start() { await this.byId('start').click(); }
  async pause() { await this.byId('start').click(); }
  async step() {
    const before = await this.stepCount();
    await this.byId('step').click();
    await this.page.waitForFunction((n) => Number(document.querySelector('[data-testid=step-count]').textContent) > n, before, { timeout: 60_000 });
  }
  async reset() {
    await this.byId('reset').click();
    await this.page.waitForFunction(() => document.querySelector('[data-testid=step-count]').textContent.trim() === '0', null, { timeout: 60_000 });
  }

  async waitForData() {
    await this.page.waitForFunction(() => {
      const m = document.querySelector('[data-testid=data]')?.textContent.match(/train (\d+) \/ (\d+) · test (\d+) \/ (\d+)/);
      return m && m[1] === m[2] && m[3] === m[4] && Number(m[2]) > 0;
    }, null, { timeout: 120_000 });
  }

  async waitForAccuracyAbove(percent, timeout = 240_000) {
    await this.page.waitForFunction((p) => parseFloat(document.querySelector('[data-testid=accuracy]').textContent) > p, percent, { timeout });
  }

  /** The largest gap between animation frames over `frames` frames, in ms. */
  async maxFrameGap(frames = 180) {
    return this.page.evaluate((n) => new Promise((done) => {
      let last = performance.now(), max = 0, count = 0;
      const tick = (t) => { max = Math.max(max, t - last); last = t; if (++count < n) requestAnimationFrame(tick); else done(max); };
      requestAnimationFrame(tick);
    }), frames);
  }

  async drawDigitOne() {
    // Panels above the pad grow as the worker's first figures arrive (the weights grid, the engine
    // details): draw only once the pad has stayed put, or the strokes land beside it.
    let box = null;
    for (let tries = 0; tries < 40; tries++) {
      await this.byId('draw-canvas').scrollIntoViewIfNeeded();
      const before = await this.byId('draw-canvas').boundingBox();
      await this.page.waitForTimeout(250);
      box = await this.byId('draw-canvas').boundingBox();
      if (JSON.stringify(before) === JSON.stringify(box)) break;
    }
    const m = this.page.mouse;
    await m.move(box.x + box.width * 0.45, box.y + box.height * 0.15);
    await m.down();
    for (let i = 1; i <= 12; i++) await m.move(box.x + box.width * (0.45 + 0.05 * i / 12), box.y + box.height * (0.15 + 0.7 * i / 12));
    await m.up();
  }

  async screenshot(name) {
    await mkdir(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async close() { await this.page.context().close(); }
}
