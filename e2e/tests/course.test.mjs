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

// Every lesson and its number of steps, as the home page lists them (the registry's rows: a new lesson is
// covered without editing this file). The CPU engine: these tests are about layout.
let STEPPED;

before(async () => {
  server = await serve(DIST);
  browser = await launch();
  const home = await CoursePage.open(browser, server.url);
  try { STEPPED = await home.lessons(); } finally { await home.close(); }
  assert.ok(STEPPED.length >= 8 && STEPPED.every(([id, n]) => id && n >= 1), `lessons on the home page: ${JSON.stringify(STEPPED)}`);
});
after(async () => { await browser?.close(); await server?.close(); });


test('the home page lists the lessons in course order, numbered, "start here" on the first, the course pages linked above the cards; the teacher\'s plan keeps an intro and slack in every 45-minute period, says its total, expects a result of every demo and keys every check-yourself question; its demo links open their lessons', async () => {
  const home = await CoursePage.open(browser, server.url);
  try {
    const cards = await home.cards();
    assert.deepEqual(cards.map(([o]) => o), cards.map((_, i) => i + 1));
    assert.equal(new Set(cards.map(([, l]) => l)).size, cards.length, 'each lesson once');
    assert.equal(cards[0][1], 'train', 'the course starts with Train a network');
    assert.match(await home.text('start-here'), /Start here/);
    assert.match(await home.byId('open-train').getAttribute('aria-label'), /Open Train a network/);
    // The intro says where the model computes, not "on your own GPU"; the course pages are linked above the cards.
    const homeIntro = await home.page.textContent('main.home p.intro');
    assert.doesNotMatch(homeIntro, /on your own GPU/);
    assert.match(homeIntro, /in your browser \(on your GPU when the browser offers a real one through WebGPU, otherwise on the CPU\)/);
    const above = await home.page.evaluate(() => {
      const link = document.querySelector('[data-testid=teacher-link]').getBoundingClientRect().top;
      const card = document.querySelector('[data-testid=course-card]').getBoundingClientRect().top;
      return link < card;
    });
    assert.ok(above, 'the teacher and glossary links come before the cards');
    assert.ok(await home.byId('glossary-link').isVisible());
    await home.screenshot('course-01-home');
    await home.byId('teacher-link').click();
    await home.byId('teacher-plan').waitFor();
    const plan = home.byId('teacher-plan');
    assert.equal(await plan.getAttribute('data-minutes'), '45');
    const intro = Number(await plan.getAttribute('data-intro'));
    const slack = Number(await plan.getAttribute('data-slack'));
    assert.ok(intro >= 5 && slack >= 5, `intro ${intro}, slack ${slack}`);
    const rows = await home.page.$$eval('[data-testid=plan-row]', (els) => els.map((e) => [Number(e.dataset.from), Number(e.dataset.to), Number(e.dataset.period), e.dataset.lesson]));
    assert.deepEqual(rows.map((r) => r[3]), cards.map(([, l]) => l), 'the plan follows the course order');
    assert.equal(rows[0][0], intro, 'the first lesson starts after the intro');
    assert.deepEqual(rows.filter((r) => r[2] === 1).map((r) => r[3]), ['train', 'cross-entropy'], 'the first period: Train and Cross-entropy');
    for (let i = 0; i < rows.length; i++) {
      if (i > 0 && rows[i][2] === rows[i - 1][2]) assert.equal(rows[i][0], rows[i - 1][1], 'no gaps within a period');
      else assert.equal(rows[i][0], intro, 'a period starts after its intro');
      assert.ok(rows[i][1] <= 45 - slack, `${rows[i][3]} ends at ${rows[i][1]}, inside the slack`);
    }
    const train = rows.find((r) => r[3] === 'train');
    const finetune = rows.find((r) => r[3] === 'finetune');
    assert.ok(train[1] - train[0] >= 20 && finetune[1] - finetune[0] >= 25, 'realistic minutes for Train and fine-tuning');
    const periods = Number(await plan.getAttribute('data-periods'));
    assert.equal(periods, Math.max(...rows.map((r) => r[2])));
    assert.equal(await home.byId('plan-intro').count(), periods);
    assert.equal(await home.byId('plan-slack').count(), periods);
    const lessonMinutes = rows.reduce((a, r) => a + r[1] - r[0], 0);
    assert.equal(Number(await plan.getAttribute('data-lesson-minutes')), lessonMinutes);
    const total = await home.text('plan-total');
    assert.match(total, new RegExp(`${periods} periods of 45 minutes \\(${periods * 45} min\\), ${lessonMinutes} min of lessons`));
    // "6 steps" stays on one line.
    const wrapping = await home.page.$$eval('[data-testid=plan-row] td.nowrap', (els) => els.map((td) => getComputedStyle(td).whiteSpace));
    assert.ok(wrapping.length === rows.length && wrapping.every((w) => w === 'nowrap'), JSON.stringify(wrapping));
    // Every demo says what to expect, and every check-yourself step has an answer key.
    const expects = await home.page.$$eval('[data-testid=demo-link]', (els) => els.map((li) => li.querySelector('[data-testid=demo-expect]')?.textContent.trim() ?? ''));
    assert.ok(expects.every((t) => t.length > 40), JSON.stringify(expects));
    const keys = await home.page.$$eval('[data-testid=answer-key]', (els) => els.map((e) => `${e.dataset.lesson}:${e.dataset.step}`));
    for (const key of ['train:7', 'cross-entropy:6', 'chain-rule:4', 'optimizers:6', 'interpret:8', 'privacy:6']) assert.ok(keys.includes(key), `${key} in ${keys}`);
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

test('the glossary has at least 80 terms in English and in Chinese', async () => {
  for (const [lang, pattern] of [['', /[a-z]/], ['&lang=zh', /[\u4e00-\u9fff]/]]) {
    const g = await CoursePage.open(browser, server.url, `page=glossary${lang}`);
    try {
      await g.byId('glossary').waitFor();
      const terms = await g.page.$$eval('[data-testid=glossary-term] dd', (els) => els.map((e) => e.textContent));
      assert.ok(terms.length >= 80, `${terms.length} terms`);
      assert.equal(Number(await g.byId('glossary').getAttribute('data-count')), terms.length);
      for (const id of ['differential-privacy', 'dp-sgd', 'fgsm', 'pgd', 'integrated-gradients', 'condition-number', 'calibration', 'kl-divergence']) {
        assert.equal(await g.page.locator(`[data-testid=glossary-term][data-id="${id}"]`).count(), 1, id);
      }
      for (const t of terms) assert.match(t, pattern);
      if (lang) await g.screenshot('course-03-glossary-zh');
    } finally { await g.close(); }
  }
});

test('a step\'s text links the glossary\'s terms it uses, and a link lands on its term, scrolled to and highlighted', async () => {
  const p = await CoursePage.open(browser, server.url, 'lesson=cross-entropy&step=1&engine=cpu');
  try {
    await p.byId('step-terms').waitFor();
    const terms = await p.page.$$eval('[data-testid=step-terms] a', (els) => els.map((a) => a.dataset.term));
    for (const t of ['cross-entropy', 'softmax', 'logit']) assert.ok(terms.includes(t), `${t} in ${terms}`);
    await p.page.click('[data-testid=step-terms] a[data-term=softmax]');
    await p.byId('glossary').waitFor();
    await p.page.waitForFunction(() => { const r = document.getElementById('term-softmax')?.getBoundingClientRect(); return r && r.top >= 0 && r.top < window.innerHeight; });
    // Highlighted: the one term marked, with a background the others do not have.
    assert.deepEqual(await p.page.$$eval('[data-testid=glossary-term][data-target=true]', (els) => els.map((e) => e.dataset.id)), ['softmax']);
    const [marked, plain] = await p.page.evaluate(() => ['term-softmax', 'term-logit'].map((id) => getComputedStyle(document.getElementById(id)).backgroundColor));
    assert.notEqual(marked, plain, 'the target term is highlighted');
    await p.screenshot('course-03-glossary-target');
  } finally { await p.close(); }
  // A privacy step links its own terms (DP-SGD) in Chinese too, and the link lands on the term.
  const zh = await CoursePage.open(browser, server.url, 'lesson=privacy&step=2&lang=zh&engine=cpu');
  try {
    await zh.byId('step-terms').waitFor();
    await zh.page.click('[data-testid=step-terms] a[data-term=dp-sgd]');
    await zh.byId('glossary').waitFor();
    assert.match(zh.page.url(), /lang=zh.*#term-dp-sgd$/);
    await zh.page.waitForFunction(() => document.getElementById('term-dp-sgd')?.dataset.target === 'true');
    await zh.page.waitForFunction(() => { const r = document.getElementById('term-dp-sgd').getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; });
    assert.match(await zh.page.textContent('#term-dp-sgd dd'), /[\u4e00-\u9fff]/);
  } finally { await zh.close(); }
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
  // Each lesson's page and engine are a wasm chunk fetched when the lesson opens (scripts/build/build-wasm.sh).
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
