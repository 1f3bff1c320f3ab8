// The course in Chromium: the home page in course order, the teacher's plan and demo links (each opens
// its lesson as the link says), the glossary in both languages, presenter mode's agenda and first screen
// at 1280×720, and every page and lesson step at 390×844 without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../server.mjs';
import { launch, problems, BasePage } from '../pages/base.mjs';
import { CoursePage } from '../pages/course.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let server, browser;

before(async () => { server = await serve(DIST); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// Every stepped lesson and its number of steps (the CPU engine: these tests are about layout).
const STEPPED = [['train', 7], ['cross-entropy', 6], ['chain-rule', 4], ['finetune', 6], ['optimizers', 6], ['interpret', 8], ['privacy', 6]];

test('the home page lists the lessons in course order, numbered, "start here" on the first; the teacher\'s page fills 45 minutes and its demo links open their lessons', async () => {
  const home = await CoursePage.open(browser, server.url);
  try {
    const cards = await home.cards();
    assert.deepEqual(cards.map(([o]) => o), cards.map((_, i) => i + 1));
    assert.deepEqual(cards.map(([, l]) => l), ['train', 'cross-entropy', 'chain-rule', 'finetune', 'optimizers', 'interpret', 'privacy']);
    assert.match(await home.text('start-here'), /Start here/);
    assert.match(await home.byId('open-train').getAttribute('aria-label'), /Open Train a network/);
    await home.screenshot('course-01-home');
    await home.byId('teacher-link').click();
    await home.byId('teacher-plan').waitFor();
    assert.equal(await home.byId('teacher-plan').getAttribute('data-minutes'), '45');
    const rows = await home.page.$$eval('[data-testid=plan-row]', (els) => els.map((e) => [Number(e.dataset.from), Number(e.dataset.to), Number(e.dataset.period)]));
    assert.equal(rows[0][0], 0);
    assert.equal(Math.max(...rows.filter((r) => r[2] === 1).map((r) => r[1])), 45, 'the core course fills the first period');
    for (let i = 1; i < rows.length; i++) {
      if (rows[i][2] === rows[i - 1][2]) assert.equal(rows[i][0], rows[i - 1][1], 'no gaps within a period');
      else assert.equal(rows[i][0], 0, 'a new period starts at 0');
      assert.ok(rows[i][1] <= 45);
    }
    await home.screenshot('course-02-teacher');
    const demos = await home.page.$$eval('[data-testid=demo-link] a', (els) => els.map((a) => a.getAttribute('href')));
    assert.ok(demos.length >= 6, demos.join(' '));
    for (const href of demos) {
      await home.page.goto(`${server.url}index.html${href}`);
      await home.byId('lesson-title').waitFor();
      const errors = await home.page.$$eval('[data-testid=errors], .live-bar .error', (els) => els.map((e) => e.textContent.trim()).join(''));
      assert.equal(errors, '', `${href} opens without a complaint about its setup`);
      const step = new URLSearchParams(href.slice(1)).get('step');
      if (step) assert.equal(await home.value('lesson-step'), step, href);
    }
    assert.deepEqual(home.consoleErrors ?? [], []);
  } finally { await home.close(); }
});

test('the glossary has at least 40 terms in English and in Chinese', async () => {
  for (const [lang, pattern] of [['', /[a-z]/], ['&lang=zh', /[\u4e00-\u9fff]/]]) {
    const g = await CoursePage.open(browser, server.url, `page=glossary${lang}`);
    try {
      await g.byId('glossary').waitFor();
      const terms = await g.page.$$eval('[data-testid=glossary-term] dd', (els) => els.map((e) => e.textContent));
      assert.ok(terms.length >= 40, `${terms.length} terms`);
      for (const t of terms) assert.match(t, pattern);
      if (lang) await g.screenshot('course-03-glossary-zh');
    } finally { await g.close(); }
  }
});

test('a step\'s text links the glossary\'s terms it uses, and a link lands on its term', async () => {
  const p = await CoursePage.open(browser, server.url, 'lesson=cross-entropy&step=1&engine=cpu');
  try {
    await p.byId('step-terms').waitFor();
    const terms = await p.page.$$eval('[data-testid=step-terms] a', (els) => els.map((a) => a.dataset.term));
    for (const t of ['cross-entropy', 'softmax', 'logit']) assert.ok(terms.includes(t), `${t} in ${terms}`);
    await p.page.click('[data-testid=step-terms] a[data-term=softmax]');
    await p.byId('glossary').waitFor();
    await p.page.waitForFunction(() => { const r = document.getElementById('term-softmax')?.getBoundingClientRect(); return r && r.top >= 0 && r.top < window.innerHeight; });
  } finally { await p.close(); }
});

test('presenter mode at 1280×720: the agenda is visible and every step\'s figure starts on the first screen; the speaker notes show', async () => {
  for (const [lesson, steps] of STEPPED) {
    for (let step = 1; step <= steps; step++) {
      const p = await CoursePage.open(browser, server.url, `lesson=${lesson}&step=${step}&present=1&engine=cpu${lesson === 'finetune' ? '&scenario=pen&test=100' : ''}`, { width: 1280, height: 720 });
      if (lesson === 'train' && step !== 4) await p.page.waitForTimeout(300);
      try {
        await p.byId('agenda').waitFor();
        assert.ok(await p.byId('agenda').isVisible(), `${lesson} ${step}: the agenda`);
        assert.ok(await p.byId('speaker-notes').isVisible(), `${lesson} ${step}: speaker notes`);
        await p.page.waitForTimeout(400);
        const top = await p.page.evaluate(() => {
          const fig = document.querySelector('[data-testid=ft-step-panel]') ?? document.querySelector('main.lesson > .panel, main.lesson > .dashboard > .panel');
          return fig.getBoundingClientRect().top;
        });
        assert.ok(top < 720 - 120, `${lesson} step ${step}: the figure starts at ${top} px`);
        if (lesson === 'train' && step === 4) {
          // The run's controls are on the first screen (the speaker notes say to press Start).
          for (const id of ['start', 'step', 'reset']) {
            const box = await p.byId(id).boundingBox();
            assert.ok(box && box.y >= 0 && box.y + box.height <= 720, `train step 4: ${id} at ${JSON.stringify(box)}`);
          }
        }
        assert.ok(await p.sideways() <= 0, `${lesson} step ${step}: no sideways scrolling (${await p.sideways()} px)`);
        if (step === 2) await p.screenshot(`course-04-present-${lesson}`);
      } finally { await p.close(); }
    }
  }
});

test('at 390×844 no page and no lesson step scrolls sideways', async () => {
  const pages = ['', 'page=teacher', 'page=glossary'];
  for (const [lesson, steps] of STEPPED) {
    for (let step = 1; step <= steps; step++) pages.push(`lesson=${lesson}&step=${step}&engine=cpu${lesson === 'finetune' ? '&scenario=pen&test=100' : ''}`);
  }
  const wide = [];
  for (const query of pages) {
    for (const lang of ['', '&lang=zh']) {
      const p = await CoursePage.open(browser, server.url, `${query}${lang}`, { width: 390, height: 844 });
      try {
        await p.page.waitForLoadState('networkidle');
        await p.page.waitForTimeout(600);
        const over = await p.sideways();
        if (over > 0) {
          wide.push(`${query}${lang}: +${over} px`);
          await p.screenshot(`phone-wide-${wide.length}`);
        }
        if (query === 'lesson=cross-entropy&step=2&engine=cpu' && !lang) await p.screenshot('course-05-phone');
      } finally { await p.close(); }
    }
  }
  assert.deepEqual(wide, []);
});

test('a lesson whose code cannot be downloaded says so in the page\'s language, and opening it again loads it', async () => {
  // Each lesson's page and engine are a wasm chunk fetched when the lesson opens (scripts/build-wasm.sh).
  let blocked = true;
  const p = await BasePage.openLesson(BasePage, 'privacy', browser, server.url, 'lang=zh&engine=cpu', {
    prepare: (context) => context.route('**/split_privacy.wasm',
      (route) => (blocked ? route.abort('internetdisconnected') : route.continue())),
  });
  try {
    await p.byId('lesson-load-error').waitFor({ timeout: 60_000 });
    assert.match(await p.text('lesson-load-error'), /无法下载这节课的代码/);
    // The home page still works, and the lesson loads once the network is back.
    blocked = false;
    await p.byId('home').click();
    await p.byId('open-privacy').click();
    await p.byId('engine-kind').first().waitFor({ state: 'attached', timeout: 120_000 });
    assert.equal(await p.byId('lesson-load-error').count(), 0);
  } finally { await p.close(); }
});

test('no content security policy violation and no request off the origin in this file\'s tests', () => {
  assert.deepEqual(problems(browser), []);
});
