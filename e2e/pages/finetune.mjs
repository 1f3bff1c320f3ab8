// Page object of the fine-tuning lesson: every selector is a data-testid; numbers come from data-value.
import { BasePage } from './base.mjs';

export class FinetunePage extends BasePage {
  static open(browser, baseUrl, setup, context) {
    return BasePage.openLesson(FinetunePage, 'finetune', browser, baseUrl, setup ?? '', { context, acceptDownloads: true });
  }

  async next() {
    const n = await this.step();
    await this.byId('lesson-next').click();
    await this.page.waitForFunction((k) => document.querySelector('[data-testid=lesson-step]').dataset.value === String(k), n + 1);
  }

  /** Step 1's data line (`ft-data`), read there and back to the step the page was on. */
  async dataLine() {
    const at = await this.step();
    while (await this.step() > 1) await this.prev();
    const line = await this.text('ft-data');
    while (await this.step() < at) await this.next();
    return line;
  }

  /** Goes back one step. */
  async prev() {
    const n = await this.step();
    await this.byId('lesson-prev').click();
    await this.page.waitForFunction((k) => document.querySelector('[data-testid=lesson-step]').dataset.value === String(k), n - 1);
  }

  /** Waits for the accuracy of the `loads`-th loaded model on the held-out examples (1: the shipped one). */
  async pretrainedAccuracy(loads = 1, timeout = 120_000) {
    await this.page.waitForFunction((n) => {
      const el = document.querySelector('[data-testid=ft-pretrained-accuracy]');
      return el?.dataset.value && Number(el.dataset.loads) === n;
    }, loads, { timeout });
    return this.number('ft-pretrained-accuracy');
  }

  /** Starts a phase with its button and waits until `phase` has run all its epochs. */
  async trainPhase(button, phase, timeout = 240_000) {
    await this.byId(button).click();
    await this.page.waitForFunction((p) => {
      const v = document.querySelector('[data-testid=ft-phase]')?.dataset.progress ?? '';
      const m = v.match(/^(\w+):(\d+)\/(\d+):(\w+)$/);
      return m && m[1] === p && m[2] === m[3] && m[4] === 'done';
    }, phase, { timeout });
    // The last epoch's evaluation and tensor figures follow the progress event.
    await this.page.waitForTimeout(300);
  }

  /** Starts a phase with its button and waits until it has ended, after all its epochs or earlier
   * (early stopping); returns the epochs it ran. */
  async trainPhaseUntilEnded(button, phase, timeout = 240_000) {
    await this.byId(button).click();
    const handle = await this.page.waitForFunction((p) => {
      const v = document.querySelector('[data-testid=ft-phase]')?.dataset.progress ?? '';
      const m = v.match(/^(\w+):(\d+)\/(\d+):(\w+)$/);
      return m && m[1] === p && m[4] === 'done' && Number(m[2]) > 0 && Number(m[2]);
    }, phase, { timeout });
    await this.page.waitForTimeout(300);
    return handle.jsonValue();
  }

  async fill(id, value) { await this.byId(id).fill(String(value)); await this.byId(id).dispatchEvent('change'); }

  /** Draws a stroke through points given as fractions of the canvas, once the pad has stopped moving
   * (the status line above it changes height as the model's figures arrive). */
  async stroke(points) {
    let box = null;
    for (let tries = 0; tries < 40; tries++) {
      await this.byId('draw-canvas').scrollIntoViewIfNeeded();
      const before = await this.byId('draw-canvas').boundingBox();
      await this.page.waitForTimeout(100);
      box = await this.byId('draw-canvas').boundingBox();
      if (JSON.stringify(before) === JSON.stringify(box)) break;
    }
    const m = this.page.mouse;
    const at = ([x, y]) => [box.x + box.width * x, box.y + box.height * y];
    await m.move(...at(points[0]));
    await m.down();
    for (const p of points.slice(1)) await m.move(...at(p), { steps: 4 });
    await m.up();
  }

}
