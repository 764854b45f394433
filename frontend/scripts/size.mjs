// Prints the gzipped size of the JS and CSS that dist/index.html loads up front, and fails
// when the initial JS goes over budget.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BASE = "/static/";
const JS_BUDGET_KB = 80;

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");

function gzipKb(urls) {
  let bytes = 0;
  for (const url of new Set(urls)) {
    if (!url.startsWith(BASE)) throw new Error(`asset outside ${BASE}: ${url}`);
    bytes += gzipSync(readFileSync(join(dist, url.slice(BASE.length))), { level: 9 }).length;
  }
  return bytes / 1024;
}

const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]+)"`))?.[1];
const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
const js = [];
const css = [];
for (const tag of tags) {
  if (tag.startsWith("<script")) {
    const src = attr(tag, "src");
    if (src) js.push(src);
  } else {
    const rel = attr(tag, "rel");
    const href = attr(tag, "href");
    if (!href) continue;
    if (rel === "stylesheet") css.push(href);
    if (rel === "modulepreload") js.push(href);
  }
}

const jsKb = gzipKb(js);
const cssKb = gzipKb(css);
console.log(`initial JS ${jsKb.toFixed(1)} KB gzip, CSS ${cssKb.toFixed(1)} KB gzip`);
if (jsKb > JS_BUDGET_KB) {
  console.error(`initial JS is over the ${JS_BUDGET_KB} KB gzip budget`);
  process.exit(1);
}
