// Page object of "Backprop by hand": every selector is a data-testid and every number comes from a
// data-value attribute at full precision.
import { BasePage } from './base.mjs';

/** The seven correct lines of the article's network (kernels::by_hand::answers for the base variant). */
export const ANSWERS = {
  dz2: 'dz2 = (softmax(z2, 1) - onehot(y, 10)) / B',
  dW2: 'dW2 = dz2.T @ h',
  db2: 'db2 = sum(dz2, 0)',
  dh: 'dh = dz2 @ W2',
  dz1: 'dz1 = dh * (z1 > 0)',
  dW1: 'dW1 = dz1.T @ x',
  db1: 'db1 = sum(dz1, 0)',
};

export class ByHandPage extends BasePage {
  static open(browser, baseUrl, setup = '', options = {}) {
    return BasePage.openLesson(ByHandPage, 'by-hand', browser, baseUrl, setup, options);
  }

  /** Waits until the batch is there (the snapshot note names its step count). */
  async batch(timeout = 120_000) {
    await this.page.waitForFunction(() => {
      const v = document.querySelector('[data-testid=bh-snapshot]')?.dataset.value;
      return v !== undefined && v !== '';
    }, null, { timeout });
  }

  /** Types `line` into gradient `name`'s input, presses Enter and returns its grade. */
  async type(name, line) {
    const input = this.byId(`bh-line-${name}`);
    await input.fill(line);
    await input.press('Enter');
    await this.page.waitForFunction(([n, src]) => document.querySelector(`[data-testid=bh-grade-${n}]`)?.dataset.src === src, [name, line]);
    return this.grade(name);
  }

  /** Gradient `name`'s grade: its state, largest relative error (NaN if none) and sentence. */
  async grade(name) {
    return {
      state: await this.byId(`bh-grade-${name}`).getAttribute('data-state'),
      error: Number(await this.value(`bh-error-${name}`) ?? NaN),
      text: await this.text(`bh-grade-${name}`),
    };
  }

  /** Waits until gradient `name` has a grade in state `state`. */
  async waitState(name, state, timeout = 120_000) {
    await this.page.waitForFunction(([n, s]) => document.querySelector(`[data-testid=bh-grade-${n}]`)?.dataset.state === s, [name, state], { timeout });
  }
}
