// Page object of the privacy lesson: every selector is a data-testid; numbers come from data-value.
import { BasePage } from './base.mjs';

export class PrivacyPage extends BasePage {
  static open(browser, baseUrl, setup, options) {
    return BasePage.openLesson(PrivacyPage, 'privacy', browser, baseUrl, setup ?? '', options);
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
