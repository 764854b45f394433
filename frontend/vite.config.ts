import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// Django serves frontend/dist under /static/ and dist/index.html itself at "/".
export default defineConfig({
  base: "/static/",
  plugins: [preact()],
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
