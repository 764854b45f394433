import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import preact from "@preact/preset-vite";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

const BASE = "/static/";

/**
 * Writes the service worker (sw.js) into the build with every asset the build made, the
 * screens loaded on first use included: an offline reload must open all of them. Its cache
 * name changes with the assets, so a new build replaces the old shell.
 */
function precacheServiceWorker(): Plugin {
  return {
    name: "vigil-precache-service-worker",
    apply: "build",
    // After the bundle is written: by then the build has dropped the empty chunks of CSS-only
    // imports, which would make the worker's install fail on a 404.
    writeBundle(options, bundle) {
      const assets = Object.keys(bundle)
        .filter((name) => name.startsWith("assets/"))
        .sort()
        .map((name) => `${BASE}${name}`);
      const version = createHash("sha256").update(assets.join("\n")).digest("hex").slice(0, 12);
      const template = readFileSync(new URL("./sw.js", import.meta.url), "utf8");
      const source = template
        .replace('const CACHE = "vigil-shell-dev";', `const CACHE = "vigil-shell-${version}";`)
        .replace("const ASSETS = [];", `const ASSETS = ${JSON.stringify(assets)};`);
      if (source === template) throw new Error("sw.js: the precache placeholders are missing");
      writeFileSync(join(options.dir ?? "dist", "sw.js"), source);
    },
  };
}

// Django serves frontend/dist under /static/ and dist/index.html itself at "/".
export default defineConfig({
  base: BASE,
  plugins: [preact(), precacheServiceWorker()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    // `npm run dev` talks to a Django dev server on :8000 (same origin for cookies).
    proxy: {
      "/api": "http://127.0.0.1:8000",
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    restoreMocks: true,
  },
});
