// Page object of the "Train a network" lesson: every selector is a data-testid.
import { BasePage } from './base.mjs';

export class LessonPage extends BasePage {
  /** Opens the lesson with `query` as its setup, on the dashboard (step 4) unless the query names a step. */
  static open(browser, baseUrl, query, prepare) {
    const q = (query ?? '').replace(/^\?/, '');
    return BasePage.openLesson(LessonPage, 'train', browser, baseUrl, /(^|&)step=/.test(q) ? q : `step=4${q ? `&${q}` : ''}`, { prepare });
  }

  async engineKind() { await this.byId('engine-kind').waitFor({ timeout: 120_000 }); return this.text('engine-kind'); }
  async stepCount() { return Number(await this.text('step-count')); }
  /** The dashboard's validation accuracy in %, as shown (NaN before the first evaluation). */
  async accuracy() { const t = await this.text('val-accuracy'); return t.includes('%') ? parseFloat(t) : NaN; }
  async lossValue() { return this.byId('loss').getAttribute('data-value'); }
  async lossTrend() {
    const el = this.byId('loss');
    return { first: Number(await el.getAttribute('data-first')), recent: Number(await el.getAttribute('data-recent')) };
  }

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

  /** Moves through the lesson's steps with Previous / Next until step `n` shows. */
  async goToStep(n) {
    for (let i = 0; i < 10; i++) {
      const at = Number(await this.byId('lesson-step').getAttribute('data-value'));
      if (at === n) return;
      await this.byId(at < n ? 'lesson-next' : 'lesson-prev').click();
    }
    throw new Error(`could not reach step ${n}`);
  }

  async waitForData() {
    await this.page.waitForFunction(() => {
      const m = document.querySelector('[data-testid=data]')?.textContent.match(/train (\d+) \/ (\d+) · test (\d+) \/ (\d+)/);
      return m && m[1] === m[2] && m[3] === m[4] && Number(m[2]) > 0;
    }, null, { timeout: 120_000 });
  }

  async waitForAccuracyAbove(percent, timeout = 240_000) {
    await this.page.waitForFunction((p) => parseFloat(document.querySelector('[data-testid=val-accuracy]').textContent) > p, percent, { timeout });
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

}
