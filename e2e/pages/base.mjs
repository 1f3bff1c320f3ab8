// What every lesson's page object shares: Chromium with WebGPU (`launch`), the problems it watched for,
// and `BasePage` — opening a lesson by its registry id, reading elements by data-testid, numbers from
// data-value at full precision, the step player's position, screenshots. Each lesson's page object
// (`pages/<lesson>.mjs`) extends it.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

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

export class BasePage {
  constructor(page) {
    this.page = page;
    this.consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') this.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  /**
   * Opens lesson `id` (`?lesson=<id>&<setup>`) as a `Kind` page in a new browser context (or in
   * `context`); `prepare(context)` runs first (routes that fail or delay requests).
   */
  static async openLesson(Kind, id, browser, baseUrl, setup = '', { viewport = { width: 1366, height: 900 }, context, prepare, ...options } = {}) {
    const ctx = context ?? await browser.newContext({ viewport, ...options });
    await prepare?.(ctx);
    const lesson = new Kind(await ctx.newPage());
    const query = setup.startsWith('?') ? setup.slice(1) : setup;
    await lesson.page.goto(`${baseUrl}index.html?lesson=${id}${query ? `&${query}` : ''}`);
    return lesson;
  }

  byId(id) { return this.page.getByTestId(id); }
  async text(id) { return (await this.byId(id).first().textContent())?.trim() ?? ''; }
  async value(id) { return this.byId(id).first().getAttribute('data-value'); }
  async number(id) { return Number(await this.value(id)); }
  /** The step player's position (0-based). */
  async step() { return Number(await this.value('lesson-step')); }
  async errors() { return (await this.byId('errors').textContent())?.trim() ?? ''; }

  async screenshot(name) {
    await mkdir(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async close() { await this.page.context().close(); }
}
