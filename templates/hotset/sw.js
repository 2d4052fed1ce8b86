// The hot set's service worker (scope /dash/hotset/): keeps the dashboard page and its static
// files so the page opens without signal. Pages and files: network first, the kept copy when
// the network fails (or takes over 4 s and a copy exists). The API and the socket are never
// touched here: the page handles them itself (its offline queue, its last snapshot).
const CACHE = "{{ cache_name }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("setdesk-hotset-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// A page loaded before the worker ran hands over its own URL and files to keep.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  const same = data.urls.filter((url) => new URL(url, self.location.href).origin === self.location.origin);
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(same.map((url) => keep(cache, new Request(url, { credentials: "same-origin" }))))));
});

async function keep(cache, request) {
  try {
    const response = await fetch(request);
    // A login redirect or an error page is not the dashboard: never keep it.
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    return null;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("slow network")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (err) => { clearTimeout(timer); reject(err); });
  });
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  });
  if (!kept) return network;
  try {
    return await withTimeout(network, 4000);
  } catch (err) {
    return kept;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isPage = request.mode === "navigate" && url.pathname.startsWith(new URL(self.registration.scope).pathname);
  if (!isPage && !url.pathname.startsWith("/static/")) return;
  event.respondWith(networkFirst(request));
});
