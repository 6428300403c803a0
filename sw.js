// svclab's service worker: after one visit the page works with the network gone, because
// workshop Wi-Fi fails. Network first: when the network answers, its answer is used (so a new
// release, or `trunk serve`'s rebuild, is what loads) and kept; the cache answers only when the
// network does not. The page sends the list of files it loaded (index.html's script), and
// those are cached at once, since the first visit's files were fetched before this worker ran.
"use strict";

const CACHE = "svclab";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const urls = event.data && event.data.cache;
  if (!Array.isArray(urls)) return;
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      await cache.addAll(urls);
      // Files of an older release: no page will ask for them again.
      const keep = new Set(urls.map((u) => new URL(u, self.location).href));
      for (const request of await cache.keys()) {
        if (!keep.has(request.url)) await cache.delete(request);
      }
      const client = event.source;
      if (client) client.postMessage({ cached: urls.length });
    })
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches
          .match(request, { ignoreSearch: true })
          .then((hit) => hit || (request.mode === "navigate" ? caches.match("./") : undefined))
          .then((hit) => hit || Response.error())
      )
  );
});
