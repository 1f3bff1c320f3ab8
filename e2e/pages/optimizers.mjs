// Page object of "Optimisers on a surface" (?lesson=optimizers): the playground's table and closed forms,
// the momentum panel and the questions.
import { BasePage } from './base.mjs';

export class OptimizersPage extends BasePage {
  static open(browser, baseUrl, setup = '', options = {}) {
    return BasePage.openLesson(OptimizersPage, 'optimizers', browser, baseUrl, setup, options);
  }

  /** The iteration at which `id` arrived: from then on within 1/1000 of the start's distance (NaN when it did not). */
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

/** The live model's steps and the race (the lesson's worker). */
export class OptimizersLivePage extends OptimizersPage {
  static open(browser, baseUrl, setup = '', options = {}) {
    return BasePage.openLesson(OptimizersLivePage, 'optimizers', browser, baseUrl, setup, options);
  }

  /** Step 1: measures the gradients (`trained`: after 300 SGD steps); each batch size's numbers. */
  async gradNoise(trained = false) {
    await this.byId('grad-model').selectOption(trained ? 'trained' : 'fresh');
    await this.byId('grad-measure').click();
    const warm = trained ? '300' : '0';
    await this.page.waitForFunction((w) => !document.querySelector('[data-testid=grad-measure]').disabled
      && document.querySelector('[data-testid=grad-table]')?.dataset.warm === w, warm, { timeout: 240_000 });
    const rows = {};
    for (const b of [1, 8, 64, 512]) {
      const c = this.byId(`grad-cosine-${b}`);
      rows[b] = {
        cosine: Number(await c.getAttribute('data-value')),
        low: Number(await c.getAttribute('data-low')),
        high: Number(await c.getAttribute('data-high')),
        error: Number(await this.value(`grad-error-${b}`)),
      };
    }
    return rows;
  }

  /** Step 4: takes one Adam step (`trained`: after 300 of them); the verdict's numbers. */
  async stepMap(trained = false) {
    await this.byId('adam-step-model').selectOption(trained ? 'trained' : 'fresh');
    await this.byId('adam-step-measure').click();
    await this.page.waitForFunction(() => !document.querySelector('[data-testid=adam-step-measure]').disabled
      && document.querySelector('[data-testid=adam-step-verdict]'), null, { timeout: 240_000 });
    const v = this.byId('adam-step-verdict');
    const n = async (k) => Number(await v.getAttribute(`data-${k}`));
    return { adamSpread: await n('adam-spread'), sgdSpread: await n('sgd-spread'), adamMedian: await n('adam-median'), sgdMedian: await n('sgd-median'),
      still: await n('still'), adamMovesStill: await n('adam-moves-still') };
  }

  /** Step 5: races `ids` for `steps` steps (`same`: one learning rate for all), and waits for the end. */
  async race(ids, { steps = 200, same = null, timeout = 600_000 } = {}) {
    for (const id of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw']) {
      await this.byId(`race-enable-${id}`).setChecked(ids.includes(id));
    }
    if (same !== null) {
      await this.byId('race-preset-same').check();
      await this.byId('race-same-lr').fill(String(same));
      await this.byId('race-same-lr').press('Enter');
    } else {
      await this.byId('race-preset-tuned').check();
    }
    await this.byId('race-steps').selectOption(String(steps));
    // A finished race's progress line says done at its last step until the new race's first update
    // changes it: an observer set before the click notes the new race's start (the line gone, or not
    // done), so the wait below cannot read the old race's end.
    await this.page.evaluate(() => {
      window.__raceStarted = false;
      const started = () => {
        const p = document.querySelector('[data-testid=race-progress]');
        if (!p || p.dataset.done !== 'true') window.__raceStarted = true;
      };
      new MutationObserver(started).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-done', 'data-step'] });
    });
    await this.byId('race-start').click();
    await this.page.waitForFunction((n) => {
      const p = document.querySelector('[data-testid=race-progress]');
      return window.__raceStarted && p && p.dataset.done === 'true' && p.dataset.step === String(n);
    }, steps, { timeout });
    return this.raceNumbers(ids);
  }

  /** Each arm's first loss (its bits), last loss and test accuracy as the table shows them. */
  async raceNumbers(ids) {
    const out = {};
    for (const id of ids) {
      out[id] = {
        firstBits: await this.byId(`race-first-loss-${id}`).getAttribute('data-bits'),
        loss: Number(await this.value(`race-loss-${id}`)),
        accuracy: Number(await this.value(`race-accuracy-${id}`)),
      };
    }
    out.samplesPerS = Number(await this.value('race-samples-per-s'));
    return out;
  }
}
