// Page object of the privacy lesson: every selector is a data-testid; numbers come from data-value.
import { BasePage } from './base.mjs';

export class PrivacyPage extends BasePage {
  static open(browser, baseUrl, setup, options) {
    return BasePage.openLesson(PrivacyPage, 'privacy', browser, baseUrl, setup ?? '', options);
  }

  /** Goes back one step. */
  async prev() {
    const n = await this.step();
    await this.byId('lesson-prev').click();
    await this.page.waitForFunction((k) => document.querySelector('[data-testid=lesson-step]').dataset.value === String(k), n - 1);
  }

  /**
   * Clicks a step button (lesson-next / lesson-prev) and returns the milliseconds until the page shows
   * the new step, measured from before the click was sent: a busy main thread delays the click itself,
   * so a page that does not answer shows here as a long time.
   */
  async clickTimed(id) {
    const t0 = performance.now();
    await this.page.evaluate((button) => new Promise((resolve) => {
      const now = () => document.querySelector('[data-testid=lesson-step]')?.dataset.value;
      const before = now();
      const done = () => { if (now() !== before) { obs.disconnect(); resolve(); } };
      const obs = new MutationObserver(done);
      obs.observe(document.body, { subtree: true, childList: true, attributes: true });
      document.querySelector(`[data-testid=${button}]`).click();
      done();
    }), id);
    return performance.now() - t0;
  }

  /** Every `dp-bound` on the page: [its value, the ε it is for, whose ε]. */
  async bounds() {
    return this.page.$$eval('[data-testid=dp-bound]', (els) => els.map((e) => [Number(e.dataset.value), Number(e.dataset.epsilon), e.dataset.of]));
  }

  async next() {
    const n = await this.step();
    await this.byId('lesson-next').click();
    await this.page.waitForFunction((k) => document.querySelector('[data-testid=lesson-step]').dataset.value === String(k), n + 1);
  }

  /** Waits until the worker has the images (the run buttons are enabled). */
  async ready(button) {
    await this.page.waitForFunction((b) => document.querySelector(`[data-testid=${b}]`) && !document.querySelector(`[data-testid=${b}]`).disabled, button, { timeout: 120_000 });
  }

  /** Sets a range slider's value (as a student dragging it would, firing input). */
  async slide(id, value) {
    await this.byId(id).evaluate((el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  }

  /** Records every (epoch, steps, ε) the meter shows while a run goes on. */
  async recordEpsilon() {
    await this.page.evaluate(() => {
      window.__eps = [];
      const seen = new Set();
      const read = () => {
        const el = document.querySelector('[data-testid=dp-epsilon]');
        if (el && el.dataset.epoch && !seen.has(el.dataset.epoch)) {
          seen.add(el.dataset.epoch);
          window.__eps.push([Number(el.dataset.epoch), Number(el.dataset.steps), Number(el.dataset.value)]);
        }
      };
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
  }

  async recorded() { return this.page.evaluate(() => window.__eps); }
}

/** The most advantage (ε, δ = 10⁻⁵)-DP allows any membership test: (eᵋ − 1 + 2δ)/(eᵋ + 1). */
export function dpBound(epsilon, delta = 1e-5) {
  const e = Math.exp(epsilon);
  return Math.min(1, (e - 1 + 2 * delta) / (e + 1));
}
