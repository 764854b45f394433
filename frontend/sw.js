// Vigil's service worker: keeps the app itself (index.html and every hashed asset of the build,
// the screens loaded on first use included) so that a tablet that reloads while the Wi-Fi is
// down still opens every screen. It never caches the API: records live only in the outbox until
// the server has them.
//
// The build (vite.config.ts, precacheServiceWorker) writes this file to dist/sw.js with the list
// of assets and a cache name that changes with them, so a new build installs a new worker.
const CACHE = "vigil-shell-dev";
const ASSETS = [];
const SHELL = "/";

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const response = await fetch(SHELL, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  const html = await response.clone().text();
  await cache.put(SHELL, response);
  const loaded = [...html.matchAll(/(?:src|href)="(\/static\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll([...new Set([...loaded, ...ASSETS])]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // A new version of this worker drops the shells of earlier ones.
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    // Network first, so an update is seen at once; the kept copy when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(SHELL, copy));
          }
          return response;
        })
        .catch(() => caches.match(SHELL).then((hit) => hit ?? Response.error())),
    );
  } else if (url.pathname.startsWith("/static/assets/")) {
    // Hashed names never change content: the kept copy first.
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ??
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              void caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
  }
});
