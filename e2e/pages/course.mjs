// Page object of the course pages: the home page (course cards), the teacher's page and the glossary.
import { BasePage } from './base.mjs';

export class CoursePage extends BasePage {
  /** Opens `?<query>` (empty: the home page) in a new context of the given viewport. */
  static async open(browser, baseUrl, query = '', viewport = { width: 1366, height: 900 }) {
    const ctx = await browser.newContext({ viewport });
    const page = new CoursePage(await ctx.newPage());
    await page.page.goto(`${baseUrl}index.html${query ? `?${query}` : ''}`);
    return page;
  }

  /** The course cards' `[order, lesson]` in page order. */
  async cards() {
    await this.byId('course-card').first().waitFor();
    return this.page.$$eval('[data-testid=course-card]', (els) => els.map((e) => [Number(e.dataset.order), e.dataset.lesson]));
  }

  /** Every lesson the home page lists (the registry's rows, in course order) as `[lesson, steps]`. */
  async lessons() {
    await this.byId('course-card').first().waitFor();
    return this.page.$$eval('[data-testid=course-card]', (els) => els.map((e) => [e.dataset.lesson, Number(e.dataset.steps)]));
  }

  /** How far the page scrolls sideways beyond its window (0 when it does not). */
  async sideways() {
    return this.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }
}
