// Page object of the interpretability lesson: every selector is a data-testid; numbers come from
// data-* attributes.
import { BasePage } from './base.mjs';

export class InterpretPage extends BasePage {
  static open(browser, baseUrl, setup, options) {
    return BasePage.openLesson(InterpretPage, 'interpret', browser, baseUrl, setup ?? '', options);
  }

  /** Waits until the model and the images are loaded (the step's panel replaces the loading line). */
  async loaded() {
    await this.byId('interpret-model').filter({ hasText: /\d/ }).waitFor({ timeout: 180_000 });
  }

  async next() {
    const n = await this.step();
    await this.byId('lesson-next').click();
    await this.page.waitForFunction((k) => document.querySelector('[data-testid=lesson-step]').dataset.value === String(k), n + 1);
  }

  /** Sets a slider or a select as a student letting go of it would (firing change). */
  async set(id, value) {
    await this.byId(id).evaluate((el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }

  /** Waits for `id` to carry `attr` satisfying `ok` (a string test run in the page). */
  async waitAttr(id, attr, expected, timeout = 120_000) {
    await this.page.waitForFunction(([i, a, e]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(a) === e, [id, attr, String(expected)], { timeout });
  }

  async attr(id, name) { return this.byId(id).getAttribute(name); }
}
