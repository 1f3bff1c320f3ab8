#!/usr/bin/env node
// Fails when the README, the book (docs/) or a lesson's chapter (app/src/lessons/<folder>/README.md)
// names a file that does not exist:
//   - every relative link and image (`[…](path)`, `![…](path)`, `<img src>`, `href=`), from the file's
//     own folder, and for a lesson README also from the book chapter that includes it (mdBook pastes an
//     included file's text into the chapter, so its links resolve from there in the built book);
//   - every `{{#include path}}` of the book;
//   - every repository path written as code (`app/src/…`, `kernels/…`, `scripts/…`, …), from the root;
//   - README.md is at most 150 lines;
//   - with the built book (target/book/docs, or the folder given as the first argument), every relative
//     src and href of its HTML pages, so an image the book shows is in the built book.
// http(s), mailto and pure #anchor links are not followed; #fragments and ?queries are stripped.
//   node scripts/check/check-links.mjs [BUILT_BOOK_DIR]
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const built = resolve(root, process.argv[2] ?? "target/book/docs");
const problems = [];
const rel = (p) => relative(root, p) || ".";

function walk(dir, keep) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

const external = (t) => /^([a-z][a-z0-9+.-]*:|\/|#)/i.test(t) || t === ""; // a scheme, site-absolute, #anchor
const clean = (t) => decodeURI(t.replace(/[#?].*$/, ""));

// Markdown without its fenced code blocks (links inside code are not links).
function prose(text) {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

function linksOf(markdown) {
  const text = prose(markdown).replace(/`[^`\n]*`/g, "");
  const out = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)) out.push(m[1]);
  for (const m of text.matchAll(/\b(?:src|href)\s*=\s*"([^"]+)"/g)) out.push(m[1]);
  return out.filter((t) => !external(t));
}

function checkLinks(markdown, fromDir, label) {
  for (const target of linksOf(markdown)) {
    const path = resolve(fromDir, clean(target));
    if (!existsSync(path)) problems.push(`${label}: link or image '${target}' → ${rel(path)} does not exist`);
  }
}

// Repository paths in code spans: `app/src/shell.rs`, `scripts/test.sh`, `docs/plots/`. Placeholders
// (`<name>`, `…`, `*`, `{a,b}`) and anything with a space are not paths.
const topDirs = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !["target", "dist", "node_modules"].includes(e.name))
  .map((e) => e.name)
  .concat([".ci", ".cargo"]);
function checkCodePaths(markdown, label) {
  for (const m of markdown.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1].replace(/::.*$|:\d+$/, ""); // `file.rs::item`, `file.rs:12`
    if (/[\s<>…*{}|$]/.test(span)) continue;
    const top = span.split("/")[0];
    if (!span.includes("/") || !topDirs.includes(top)) continue;
    if (!existsSync(join(root, span))) problems.push(`${label}: path \`${span}\` does not exist`);
  }
}

const lessonReadmes = walk(join(root, "app/src/lessons"), (p) => p.endsWith("/README.md"));
const bookSources = walk(join(root, "docs"), (p) => p.endsWith(".md"));
const sources = [join(root, "README.md"), ...bookSources, ...lessonReadmes];
for (const file of sources) {
  const text = readFileSync(file, "utf8");
  checkLinks(text, dirname(file), rel(file));
  checkCodePaths(text, rel(file));
  // mdBook's includes, and the included text's links as the built book sees them.
  for (const m of text.matchAll(/\{\{#include\s+([^}\s]+)\s*\}\}/g)) {
    const included = resolve(dirname(file), m[1].replace(/:[^/]*$/, ""));
    if (!existsSync(included)) {
      problems.push(`${rel(file)}: {{#include ${m[1]}}} → ${rel(included)} does not exist`);
      continue;
    }
    checkLinks(readFileSync(included, "utf8"), dirname(file), `${rel(included)} (included by ${rel(file)})`);
  }
}
// The README is the front door: at most 150 lines, the rest is the book.
const readmeLines = readFileSync(join(root, "README.md"), "utf8").split("\n").length - 1;
if (readmeLines > 150) problems.push(`README.md: ${readmeLines} lines, more than 150 (move the detail into the book)`);
// Each lesson folder's README is a chapter of the book.
const summary = readFileSync(join(root, "docs/SUMMARY.md"), "utf8");
const includedReadmes = new Set(
  bookSources.flatMap((f) =>
    [...readFileSync(f, "utf8").matchAll(/\{\{#include\s+([^}\s]+)\s*\}\}/g)].map((m) => resolve(dirname(f), m[1])),
  ),
);
for (const readme of lessonReadmes) {
  if (!includedReadmes.has(readme)) problems.push(`${rel(readme)} is not included by any chapter of the book`);
}
for (const m of summary.matchAll(/\]\(([^)]+)\)/g)) {
  if (!existsSync(resolve(root, "docs", clean(m[1])))) problems.push(`docs/SUMMARY.md: chapter ${m[1]} does not exist`);
}

let pages = 0;
if (existsSync(built)) {
  for (const page of walk(built, (p) => p.endsWith(".html"))) {
    pages++;
    const html = readFileSync(page, "utf8").replace(/<(code|pre)\b[\s\S]*?<\/\1>/g, "");
    for (const m of html.matchAll(/\b(?:src|href)\s*=\s*"([^"]+)"/g)) {
      const target = m[1].replace(/&amp;/g, "&");
      if (external(target) || target.startsWith("javascript:")) continue;
      let path = resolve(dirname(page), clean(target));
      if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
      if (!existsSync(path)) problems.push(`built book ${relative(built, page)}: '${target}' does not exist in the build`);
    }
  }
} else {
  console.log(`check-links: no built book at ${rel(built)} (run \`mdbook build docs\`): its pages not checked`);
}

if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`check-links: ${problems.length} broken`);
  process.exit(1);
}
console.log(`check-links: ${sources.length} markdown files and ${pages} built pages, every link, image and path exists`);
