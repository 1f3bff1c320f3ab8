// trunk post_build hook: appends each lesson's own stylesheet (app/src/lessons/<folder>/style.css, in
// folder order) to the staged app.css, so a lesson's styles live in its folder and the shared sheet holds
// none. Runs before csp.mjs and offline.mjs (the service worker's cache version hashes the result).
import { readdirSync, readFileSync, appendFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run this as a trunk post_build hook');
const sheet = join(dir, 'app.css');
if (!existsSync(sheet)) throw new Error(`${sheet} is missing: app/index.html links static/styles/app.css as app.css`);
const lessons = join(dirname(fileURLToPath(import.meta.url)), '../../app/src/lessons');
const folders = readdirSync(lessons, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
let added = 0;
for (const folder of folders) {
  const file = join(lessons, folder, 'style.css');
  if (!existsSync(file)) continue;
  appendFileSync(sheet, `\n/* ---- app/src/lessons/${folder}/style.css ---- */\n${readFileSync(file, 'utf8')}`);
  added++;
}
console.log(`lesson-styles: ${added} lesson stylesheets appended to app.css`);
