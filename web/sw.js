// Service worker: the site offline after one visit, and a guard on everything the page and its
// workers ask for. It answers only same-origin GETs, from a cache filled from the build
// manifest; any other request is refused here, before it reaches the network, and reported to
// the page's privacy ledger. The build stamps the two placeholders below.
const VERSION = "__SITE_VERSION__";
const CSP = "__CONTENT_SECURITY_POLICY__";
const CACHE = `imgcompress-${VERSION}`;
const SCOPE = new URL(self.registration.scope);
const INDEX = new URL("./", SCOPE).href;

async function sha256(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Module workers take their CSP from their script's response headers, not from the page's
// <meta>; a plain static host sends none. Every answer from here carries the policy.
function withPolicy(body, source) {
  const headers = new Headers(source.headers);
  headers.set("Content-Security-Policy", CSP);
  return new Response(body, { status: source.status, statusText: source.statusText, headers });
}

async function precacheFile(cache, path, expected) {
  const response = await fetch(new URL(path, SCOPE), { cache: "no-cache" });
  const body = await response.arrayBuffer();
  if (!response.ok || (await sha256(body)) !== expected) {
    throw new Error(`${path} does not match the build manifest`);
  }
  const stored = withPolicy(body, response);
  await cache.put(new URL(path, SCOPE).href, stored.clone());
  if (path === "index.html") await cache.put(INDEX, stored);
}

// A first visit's workers start once this is done, so the files are fetched several at once
// (a browser opens up to six connections to one HTTP/1.1 host), the largest first so that
// pyodide.asm.wasm does not come last alone.
const PARALLEL_FETCHES = 6;

async function precache() {
  const manifest = await (await fetch(new URL("manifest.json", SCOPE), { cache: "no-store" })).json();
  if (manifest.version !== VERSION) {
    throw new Error(`manifest ${manifest.version} does not match service worker ${VERSION}`);
  }
  const cache = await caches.open(CACHE);
  const queue = Object.entries(manifest.files)
    .filter(([path]) => path !== "sw.js")
    .sort(([, a], [, b]) => b.size - a.size);
  const fetcher = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await precacheFile(cache, next[0], next[1].sha256);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FETCHES }, fetcher));
  await cache.put(new URL("manifest.json", SCOPE).href, withPolicy(JSON.stringify(manifest), new Response()));
}

// The first install takes over at once, so a first visit is guarded and offline-ready without
// a reload. A new version waits until no tab runs the old one, or until a page asks for it:
// taking over an open page would hand a worker restarted after a cancel the new worker.js
// under the old page. Each version has its own cache, so the old one's files stay whole
// while the new one waits.
self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => (self.registration.active ? undefined : self.skipWaiting())));
});

// The page asks for the new version once it has stopped its engine, and reloads when this
// worker has taken over (update.js).
self.addEventListener("message", (event) => {
  if (event.data?.type === "imgcompress:activate") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("imgcompress-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Refusals go to every open page's privacy ledger; what is answered is counted there already.
async function reportRefusal(entry) {
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ type: "imgcompress:request", outcome: "blocked", ...entry });
  }
}

async function refuse(request) {
  // Reading the body here keeps it in this device; it is only measured, never sent.
  const bytes = request.method === "GET" || request.method === "HEAD"
    ? 0 : (await request.clone().arrayBuffer()).byteLength;
  await reportRefusal({ url: request.url, method: request.method, bytes });
  return Response.error();
}

async function answer(request) {
  const cache = await caches.open(CACHE);
  const key = request.mode === "navigate" ? INDEX : request;
  const cached = await cache.match(key, { ignoreSearch: request.mode === "navigate" });
  if (cached) return cached;
  const response = await fetch(request);
  return withPolicy(response.body, response);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const sameOrigin = new URL(request.url).origin === self.location.origin;
  event.respondWith(sameOrigin && request.method === "GET" ? answer(request) : refuse(request));
});
