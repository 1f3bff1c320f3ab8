// Page objects of the concept lessons (cross-entropy, chain rule): every selector is a data-testid and
// every number comes from a data-value attribute at full precision.
import { createRequire } from 'node:module';
import { BasePage } from './base.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** The axe-core scan of a page: its serious and critical violations, one line each. */
export async function accessibilityProblems(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** What both concept lessons' pages share: the live model's bar. */
class ConceptPage extends BasePage {
  static openConcept(Kind, lesson, browser, baseUrl, setup, viewport) {
    return BasePage.openLesson(Kind, lesson, browser, baseUrl, setup ?? '', viewport ? { viewport } : {});
  }

  /** Waits until the element has a data-value (optionally one satisfying `ok`) and returns it as a number. */
  async waitNumber(id, timeout = 120_000) {
    await this.page.waitForFunction((t) => {
      const v = document.querySelector(`[data-testid="${t}"]`)?.dataset.value;
      return v !== undefined && v !== '' && Number.isFinite(Number(v));
    }, id, { timeout });
    return this.number(id);
  }

  /** Waits for the live model to be ready and reports its step count. */
  async ready(timeout = 120_000) {
    await this.page.waitForFunction(() => !document.querySelector('[data-testid=live-step]')?.disabled, null, { timeout });
    return this.number('live-steps');
  }

  /** Takes `n` training steps with the Step button, one at a time. */
  async trainSteps(n) {
    for (let i = 0; i < n; i++) {
      const before = await this.number('live-steps');
      await this.byId('live-step').click();
      await this.page.waitForFunction((k) => Number(document.querySelector('[data-testid=live-steps]').dataset.value) > k, before, { timeout: 60_000 });
    }
  }

  async setRange(id, value) {
    await this.byId(id).evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, value);
  }

  async select(id, value) { await this.byId(id).selectOption(String(value)); }

}

export class CrossEntropyPage extends ConceptPage {
  static open(browser, baseUrl, setup, viewport) { return ConceptPage.openConcept(CrossEntropyPage, 'cross-entropy', browser, baseUrl, setup, viewport); }
}

export class ChainRulePage extends ConceptPage {
  static open(browser, baseUrl, setup, viewport) { return ConceptPage.openConcept(ChainRulePage, 'chain-rule', browser, baseUrl, setup, viewport); }

  /** Picks a weight through the fields and waits for its figures. */
  async pick(layer, out, input) {
    await this.select('chain-layer', layer);
    await this.byId('chain-out').fill(String(out));
    await this.byId('chain-out').dispatchEvent('change');
    await this.byId('chain-input').fill(String(input));
    await this.byId('chain-input').dispatchEvent('change');
    return this.figures(`${layer}.${out}.${input}`);
  }

  /** The chain-rule figures of weight `param` (`layer.out.input`) once they are on screen. */
  async figures(param, timeout = 120_000) {
    await this.page.waitForFunction((w) => {
      const weight = document.querySelector('[data-testid=chain-weight]')?.dataset.value;
      const fd = document.querySelector('[data-testid=chain-fd]')?.dataset.value;
      return weight === w && fd !== undefined && fd !== '';
    }, param, { timeout });
    const n = (id) => this.number(id);
    return {
      factors: [await n('chain-factor-1'), await n('chain-factor-2'), await n('chain-factor-3')],
      product: await n('chain-product'),
      kernel: await n('chain-kernel-grad'),
      fd: await n('chain-fd'),
    };
  }
}
