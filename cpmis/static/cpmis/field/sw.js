/* The field app's service worker (served by cpmis/field/views.py, which puts the version and
   the list of files in self.CPMIS_FIELD above this text).

   It keeps the shell page and the static files in Cache Storage so that the app opens without
   a connection, and nothing else: the API and every other page go to the network untouched,
   and personal data lives only in IndexedDB, encrypted (vault.js). The shell is fetched from
   the network first whenever there is one, so it is always the newest. */
"use strict";

const CONFIG = self.CPMIS_FIELD;
const PREFIX = "cpmis-field-";
const CACHE = PREFIX + CONFIG.version;
const SHELL = CONFIG.shell;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(CONFIG.assets);
      // The shell needs the session: kept only when the server answered with the page itself.
      try {
        const response = await fetch(SHELL, { credentials: "same-origin", cache: "no-store" });
        if (response.ok && !response.redirected) await cache.put(SHELL, response);
      } catch (error) {
        // Offline while installing: the next visit online keeps it.
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// A connection that does not answer within this long is as good as none: the kept shell opens
// the app (the network's answer, when it comes, still refreshes the copy for next time).
const SHELL_PATIENCE_MS = 3000;

async function shell(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(SHELL, response.clone());
    }
    return response;
  });
  const patience = new Promise((resolve) => setTimeout(() => resolve(null), SHELL_PATIENCE_MS));
  const first = await Promise.race([network.catch(() => null), patience]);
  if (first) return first;
  const cached = await cache.match(SHELL, { ignoreSearch: true, ignoreVary: true });
  return cached || network;
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    event.respondWith(shell(request));
  } else if (
    url.pathname.startsWith(CONFIG.static) ||
    url.pathname === CONFIG.manifest
  ) {
    event.respondWith(asset(request));
  }
  // Anything else (the API above all) is the network's, never cached.
});
