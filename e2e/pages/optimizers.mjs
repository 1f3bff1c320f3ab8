// Page object of "Optimisers on a surface" (?lesson=optimizers): the playground's table and closed forms,
// the momentum panel and the questions.
import { BasePage } from './base.mjs';

export class OptimizersPage extends BasePage {
  static open(browser, baseUrl, setup = '', options = {}) {
    return BasePage.openLesson(OptimizersPage, 'optimizers', browser, baseUrl, setup, options);
  }

  /** The iterations `id` needed to reach 1/1000 of the distance (NaN when it did not). */
  async iterations(id) {
    await this.byId(`opt-iterations-${id}`).waitFor({ state: 'attached' });
    return Number((await this.value(`opt-iterations-${id}`)) || NaN);
  }

  /** The closed form's exact count and the count by the rate alone, for `gd` or `momentum`. */
  async theory(id) {
    const el = this.byId(`opt-theory-${id}`);
    await el.waitFor({ state: 'attached' });
    return { exact: Number(await el.getAttribute('data-value')), rate: Number(await el.getAttribute('data-rate')) };
  }

  /** Ticks or unticks optimiser `id`. */
  async enable(id, on = true) { await this.byId(`opt-enable-${id}`).setChecked(on); }

  /** Sets optimiser `id`'s learning rate. */
  async setLr(id, lr) {
    await this.byId(`opt-lr-${id}`).fill(String(lr));
    await this.byId(`opt-lr-${id}`).press('Enter');
  }
}
